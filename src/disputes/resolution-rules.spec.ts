import { DisputeKind, DisputeOutcome, GoldVerdict } from './dispute-status';
import { outcomeOf, planResolution, type ResolutionInputShape } from './resolution-rules';

const schema = { kind: 'MULTI_CHOICE' as const, classes: ['a', 'b', 'c'] };
const plan = (disputeKind: DisputeKind, input: Partial<ResolutionInputShape>, goldItemIds: string[] = []) =>
  planResolution({ disputeKind, input: { note: 'because', ...input }, schema, goldItemIds });

describe('planResolution', () => {
  it.each([
    [DisputeKind.LOW_AGREEMENT, { label: ['c', 'a'] }, { kind: 'LABEL', label: ['a', 'c'], note: 'because' }],
    [DisputeKind.REQUESTER_FLAG, { requeue: true }, { kind: 'REQUEUE', note: 'because' }],
    [
      DisputeKind.APPEAL,
      { uphold: true, gold: [{ itemId: 'g1', verdict: GoldVerdict.KEEP }] },
      { kind: 'GOLD', uphold: true, note: 'because', decisions: [{ itemId: 'g1', verdict: 'KEEP', label: null }] },
    ],
    [
      DisputeKind.GOLD_CONTEST,
      { gold: [{ itemId: 'g1', verdict: GoldVerdict.CORRECT, label: ['b'] }] },
      { kind: 'GOLD', uphold: false, note: 'because', decisions: [{ itemId: 'g1', verdict: 'CORRECT', label: ['b'] }] },
    ],
  ])('%s %j → %j', (kind, input, expected) => {
    expect(plan(kind, input, ['g1'])).toEqual({ ok: true, plan: expected });
  });

  it.each([
    [DisputeKind.LOW_AGREEMENT, { note: ' ' }, 'note'],
    [DisputeKind.LOW_AGREEMENT, {}, 'label'],
    [DisputeKind.LOW_AGREEMENT, { label: ['a'], requeue: true }, 'label'],
    [DisputeKind.LOW_AGREEMENT, { label: ['a'], uphold: true }, 'uphold'],
    [DisputeKind.LOW_AGREEMENT, { label: ['z'] }, 'label'],
    [DisputeKind.APPEAL, { label: ['a'] }, 'label'],
    [DisputeKind.APPEAL, { gold: [] }, 'gold'],
    [
      DisputeKind.APPEAL,
      {
        gold: [
          { itemId: 'g1', verdict: GoldVerdict.KEEP },
          { itemId: 'g1', verdict: GoldVerdict.KEEP },
        ],
      },
      'gold[1].itemId',
    ],
    [DisputeKind.APPEAL, { gold: [{ itemId: 'other', verdict: GoldVerdict.KEEP }] }, 'gold[0].itemId'],
    [DisputeKind.APPEAL, { gold: [{ itemId: 'g1', verdict: GoldVerdict.CORRECT }] }, 'gold[0].label'],
    [DisputeKind.APPEAL, { gold: [{ itemId: 'g1', verdict: GoldVerdict.RETIRE, label: ['a'] }] }, 'gold[0].label'],
    [DisputeKind.GOLD_CONTEST, { uphold: true, gold: [{ itemId: 'g1', verdict: GoldVerdict.KEEP }] }, 'uphold'],
  ])('%s %j is refused on %s', (kind, input, field) => {
    const check = plan(kind, input, ['g1']);
    expect(check.ok).toBe(false);
    expect(check.ok === false && check.field).toBe(field);
  });
});

describe('outcomeOf', () => {
  const gold = (verdict: GoldVerdict, uphold = false) => ({
    kind: 'GOLD' as const,
    uphold,
    note: 'n',
    decisions: [{ itemId: 'g', verdict, label: null }],
  });
  it.each([
    [DisputeKind.LOW_AGREEMENT, { kind: 'LABEL' as const, label: 'x', note: 'n' }, DisputeOutcome.LABEL_SET],
    [DisputeKind.REQUESTER_FLAG, { kind: 'REQUEUE' as const, note: 'n' }, DisputeOutcome.REQUEUED],
    [DisputeKind.GOLD_CONTEST, gold(GoldVerdict.KEEP), DisputeOutcome.GOLD_KEPT],
    [DisputeKind.GOLD_CONTEST, gold(GoldVerdict.RETIRE), DisputeOutcome.GOLD_CHANGED],
    [DisputeKind.APPEAL, gold(GoldVerdict.KEEP, true), DisputeOutcome.APPEAL_UPHELD],
    [DisputeKind.APPEAL, gold(GoldVerdict.KEEP, false), DisputeOutcome.APPEAL_DENIED],
    [DisputeKind.APPEAL, gold(GoldVerdict.CORRECT, true), DisputeOutcome.GOLD_CHANGED],
  ])('%s → %s', (kind, p, outcome) => {
    expect(outcomeOf(kind, p)).toBe(outcome);
  });

  it('an appeal whose gold another case changed since it was made ends GOLD_CHANGED, upheld or not', () => {
    expect(outcomeOf(DisputeKind.APPEAL, gold(GoldVerdict.KEEP, true), true)).toBe(DisputeOutcome.GOLD_CHANGED);
    expect(outcomeOf(DisputeKind.APPEAL, gold(GoldVerdict.KEEP, false), true)).toBe(DisputeOutcome.GOLD_CHANGED);
    expect(outcomeOf(DisputeKind.GOLD_CONTEST, gold(GoldVerdict.KEEP), true)).toBe(DisputeOutcome.GOLD_KEPT);
  });
});
