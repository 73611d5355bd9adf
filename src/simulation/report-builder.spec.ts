import { seededRandom } from './random';
import { accuracyOf, disputeCounts, majorityVote, overlapOf } from './report-builder';

describe('report figures', () => {
  const a = (ref: string, label: string, labeler = 'w') => ({ labeler, ref, itemId: ref, label });

  it('takes the majority per item and breaks ties with the seeded random', () => {
    const answers = [a('1', 'x'), a('1', 'x'), a('1', 'y'), a('2', 'x'), a('2', 'y')];
    const votes = majorityVote(answers, seededRandom(1));
    expect(votes.get('1')).toBe('x');
    expect(['x', 'y']).toContain(votes.get('2'));
    expect(majorityVote(answers, seededRandom(1))).toEqual(votes);
    // Over many seeds both tied labels win sometimes.
    const winners = new Set(Array.from({ length: 20 }, (_, s) => majorityVote(answers, seededRandom(s)).get('2')));
    expect(winners).toEqual(new Set(['x', 'y']));
  });

  it('counts a missing label as wrong', () => {
    const items = [
      { ref: '1', truth: 'x', gold: false },
      { ref: '2', truth: 'y', gold: false },
    ];
    expect(accuracyOf(items, new Map([['1', 'x']]))).toBe(0.5);
    expect(accuracyOf([], new Map())).toBe(0);
  });

  it('summarises answers per item', () => {
    expect(overlapOf([3, 3, 5, 4])).toEqual({
      mean: 3.75,
      min: 3,
      max: 5,
      histogram: [
        { answers: 3, items: 2 },
        { answers: 4, items: 1 },
        { answers: 5, items: 1 },
      ],
    });
  });

  it('groups disputes by kind and outcome, open ones by status', () => {
    expect(
      disputeCounts([
        { kind: 'APPEAL', status: 'RESOLVED', outcome: 'APPEAL_DENIED' },
        { kind: 'APPEAL', status: 'RESOLVED', outcome: 'APPEAL_DENIED' },
        { kind: 'LOW_AGREEMENT', status: 'OPEN', outcome: null },
      ]),
    ).toEqual([
      { kind: 'APPEAL', outcome: 'APPEAL_DENIED', count: 2 },
      { kind: 'LOW_AGREEMENT', outcome: 'OPEN', count: 1 },
    ]);
  });
});
