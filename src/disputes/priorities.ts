import { DisputeKind } from './dispute-status';

// Reviewer queue order: priority (lower first), then age. A LOW_AGREEMENT item blocks its
// dataset's completion, and so does a flagged item (it is DISPUTED until decided); appeals and
// gold contests concern money and quality, not completion.
export const PRIORITY_OF: Readonly<Record<DisputeKind, number>> = {
  [DisputeKind.LOW_AGREEMENT]: 0,
  [DisputeKind.REQUESTER_FLAG]: 1,
  [DisputeKind.APPEAL]: 2,
  [DisputeKind.GOLD_CONTEST]: 2,
};
