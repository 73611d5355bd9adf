// Dynamic overlap: collect `answersPerItem` answers for every item, then keep buying one more
// answer at a time while the item's confidence is below `targetConfidence`, up to
// `maxAnswersPerItem`. An item still under target at the ceiling is LOW_AGREEMENT (it goes to
// review as a dispute rather than absorbing budget forever).
//
// A tied item (ties.ts: its two likeliest classes equally likely) is never DONE, target or not:
// its label would be a coin toss. Below the ceiling one more answer can break the tie
// (NEED_MORE); at the ceiling it is LOW_AGREEMENT.

export type OverlapDecision = 'NEED_MORE' | 'DONE' | 'LOW_AGREEMENT';

export interface OverlapInput {
  /** Accepted answers the item has now. */
  answers: number;
  /** Confidence of the item's current consensus label, in [0, 1]. */
  confidence: number;
  answersPerItem: number;
  /** Ceiling; defaults to answersPerItem (fixed overlap). */
  maxAnswersPerItem?: number;
  /** Stop early once confidence reaches this; absent = fixed overlap at answersPerItem. */
  targetConfidence?: number | null;
  /** The item's consensus is a tie; absent = not tied. */
  tied?: boolean;
}

export function decideOverlap(input: OverlapInput): OverlapDecision {
  const { answers, confidence, answersPerItem } = input;
  const ceiling = input.maxAnswersPerItem ?? answersPerItem;
  if (!Number.isInteger(answersPerItem) || answersPerItem < 1)
    throw new RangeError('answersPerItem must be an integer >= 1');
  if (!Number.isInteger(ceiling) || ceiling < answersPerItem)
    throw new RangeError('maxAnswersPerItem must be an integer >= answersPerItem');
  if (answers < answersPerItem) return 'NEED_MORE';
  if (input.tied === true) return answers >= ceiling ? 'LOW_AGREEMENT' : 'NEED_MORE';
  const target = input.targetConfidence;
  if (target === undefined || target === null) return 'DONE';
  // NaN confidence (should not happen) must not count as reaching the target.
  if (confidence >= target) return 'DONE';
  return answers >= ceiling ? 'LOW_AGREEMENT' : 'NEED_MORE';
}
