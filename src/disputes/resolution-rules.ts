import { canonicalLabel, labelProblem, unstorableProblem, type LabelSchemaShape } from '../datasets/item-validation';
import { DisputeKind, DisputeOutcome, GoldVerdict } from './dispute-status';

// What a reviewer may decide for each kind of case, and what the decision is called. Pure:
// input in, a plan or the first problem (naming its field) out. Messages never echo a label.
//
//   LOW_AGREEMENT / REQUESTER_FLAG   exactly one of: `label` (the final label) or `requeue: true`
//   APPEAL                           a verdict for every gold item of the case, and `uphold`
//   GOLD_CONTEST                     a verdict for its gold item
//   every kind                       `note`, 1 to NOTE_MAX_LENGTH characters, shown to the appellant

export const NOTE_MAX_LENGTH = 2000;

export interface ResolutionInputShape {
  label?: unknown;
  requeue?: boolean | null;
  uphold?: boolean | null;
  gold?: readonly { itemId: string; verdict: GoldVerdict; label?: unknown }[] | null;
  note: string;
}

export interface GoldDecisionPlan {
  itemId: string;
  verdict: GoldVerdict;
  /** CORRECT: the new gold label, canonical. */
  label: unknown;
}

export type ResolutionPlan =
  | { kind: 'LABEL'; label: unknown; note: string }
  | { kind: 'REQUEUE'; note: string }
  | { kind: 'GOLD'; decisions: GoldDecisionPlan[]; uphold: boolean; note: string };

export type ResolutionCheck =
  | { ok: true; plan: ResolutionPlan }
  | { ok: false; code: 'BAD_USER_INPUT' | 'INVALID_LABEL'; field: string; message: string };

const absent = (v: unknown): boolean => v === null || v === undefined;

export function planResolution(params: {
  disputeKind: DisputeKind;
  input: ResolutionInputShape;
  schema: LabelSchemaShape;
  goldItemIds: readonly string[];
}): ResolutionCheck {
  const { input } = params;
  const note = typeof input.note === 'string' ? input.note.trim() : '';
  if (note.length < 1 || note.length > NOTE_MAX_LENGTH)
    return bad('note', `note must be 1 to ${NOTE_MAX_LENGTH} characters`);
  if (params.disputeKind === DisputeKind.LOW_AGREEMENT || params.disputeKind === DisputeKind.REQUESTER_FLAG) {
    if (!absent(input.uphold) || !absent(input.gold))
      return bad(
        absent(input.uphold) ? 'gold' : 'uphold',
        'uphold and gold apply to APPEAL and GOLD_CONTEST cases only',
      );
    const requeue = input.requeue === true;
    if (requeue === !absent(input.label)) return bad('label', 'give either a label or requeue: true');
    if (requeue) return { ok: true, plan: { kind: 'REQUEUE', note } };
    const problem = labelProblem(params.schema, input.label) ?? unstorableProblem(input.label, 'label');
    if (problem) return { ok: false, code: 'INVALID_LABEL', field: 'label', message: problem };
    return { ok: true, plan: { kind: 'LABEL', label: canonicalLabel(params.schema, input.label), note } };
  }
  if (!absent(input.label) || !absent(input.requeue))
    return bad(
      absent(input.label) ? 'requeue' : 'label',
      'label and requeue apply to LOW_AGREEMENT and REQUESTER_FLAG cases only',
    );
  if (params.disputeKind === DisputeKind.GOLD_CONTEST && !absent(input.uphold))
    return bad('uphold', 'uphold applies to APPEAL cases only');
  const given = input.gold ?? [];
  const wanted = new Set(params.goldItemIds);
  const seen = new Set<string>();
  const decisions: GoldDecisionPlan[] = [];
  for (const [i, d] of given.entries()) {
    if (!wanted.has(d.itemId) || seen.has(d.itemId))
      return bad(`gold[${i}].itemId`, 'give one verdict for each gold item of the case, and only for those');
    seen.add(d.itemId);
    if (d.verdict === GoldVerdict.CORRECT) {
      const problem = absent(d.label)
        ? `gold[${i}].label is required for CORRECT`
        : (labelProblem(params.schema, d.label, `gold[${i}].label`) ?? unstorableProblem(d.label, `gold[${i}].label`));
      if (problem) return { ok: false, code: 'INVALID_LABEL', field: `gold[${i}].label`, message: problem };
      decisions.push({ itemId: d.itemId, verdict: d.verdict, label: canonicalLabel(params.schema, d.label) });
    } else {
      if (!absent(d.label)) return bad(`gold[${i}].label`, `gold[${i}].label applies to CORRECT only`);
      decisions.push({ itemId: d.itemId, verdict: d.verdict, label: null });
    }
  }
  if (seen.size !== wanted.size) return bad('gold', 'give one verdict for each gold item of the case');
  return { ok: true, plan: { kind: 'GOLD', decisions, uphold: input.uphold === true, note } };
}

/** The outcome a plan gives a case of the given kind. An APPEAL whose gold another case changed
 * since it was made (`goldChangedSince`) ends GOLD_CHANGED like one that changes it itself. */
export function outcomeOf(disputeKind: DisputeKind, plan: ResolutionPlan, goldChangedSince = false): DisputeOutcome {
  if (plan.kind === 'LABEL') return DisputeOutcome.LABEL_SET;
  if (plan.kind === 'REQUEUE') return DisputeOutcome.REQUEUED;
  const changed =
    plan.decisions.some((d) => d.verdict !== GoldVerdict.KEEP) ||
    (disputeKind === DisputeKind.APPEAL && goldChangedSince);
  if (changed) return DisputeOutcome.GOLD_CHANGED;
  if (disputeKind === DisputeKind.GOLD_CONTEST) return DisputeOutcome.GOLD_KEPT;
  return plan.uphold ? DisputeOutcome.APPEAL_UPHELD : DisputeOutcome.APPEAL_DENIED;
}

function bad(field: string, message: string): ResolutionCheck {
  return { ok: false, code: 'BAD_USER_INPUT', field, message };
}
