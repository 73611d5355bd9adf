import { smoothedGoldAccuracy } from '../consensus/gold-accuracy';
import { binomialLowerTail } from './binomial-tail';

// Quality decisions taken when an assignment is submitted. Pure: counts in, verdicts out.

export type AssignmentVerdict = 'ACCEPTED' | 'REJECTED';

// One assignment: rejected when its own gold accuracy is under the dataset's bar. No gold in
// the assignment (or no bar) means there is nothing to hold against it.
export function assignmentVerdict(params: {
  goldCorrect: number;
  goldTotal: number;
  minGoldAccuracy: number | null;
}): AssignmentVerdict {
  const { goldCorrect, goldTotal, minGoldAccuracy } = params;
  if (minGoldAccuracy === null || goldTotal === 0) return 'ACCEPTED';
  return goldCorrect / goldTotal < minGoldAccuracy ? 'REJECTED' : 'ACCEPTED';
}

export interface WorkerQuality {
  /** Laplace-smoothed gold accuracy (the estimate consensus also uses); null without gold. */
  estimatedAccuracy: number | null;
  /** Whether the worker should now be blocked on this dataset. */
  block: boolean;
}

// How sure the gold record must make us that a worker is under the bar before they are blocked.
// A constant, like the gaming gate's 99% (gold-gaming.ts): it is a statistical choice, not a
// deployment setting, and tests must exercise the rule that production runs.
export const BLOCK_CONFIDENCE = 0.95;

// The worker over all their gold on a dataset. The block is re-decided at every verdict, so over a
// dataset's life an honest worker gets many chances to hit an unlucky streak; a point estimate under
// the bar (the rule before) blocked a 90%-accurate worker 1.6% of the time within 30 gold at a bar of
// 0.6. So a worker is blocked only when their record makes it 95% sure their accuracy is under the
// bar: the one-sided Clopper–Pearson upper bound of correct / seen is below it. That bound is under
// the bar exactly when P(X <= correct) < 5% for X ~ Binomial(seen, bar) — "a worker exactly at the
// bar would do this badly or worse less than 1 time in 20" — so it is decided with the exact
// binomial tail, pure arithmetic, no quantile needed.
//
// Clopper–Pearson rather than Wilson: Clopper–Pearson never covers less than its nominal 95%,
// while Wilson dips under it at the small records (5–20 gold) where this decision is mostly taken.
// At a bar of 0.6, a worker exactly at the bar is blocked by a single check with probability
// 1.0% / 1.5% / 2.1% (5 / 12 / 20 gold) under Clopper–Pearson and 8.7% / 5.7% / 5.7% under Wilson.
// Worst case, at most 5% per check for any worker at or above the bar.
//
// Probability of ever being blocked, bar 0.6, checked every 3 gold from the 6th to the 30th (exact,
// by dynamic programming over the record; worker-quality.block-rates.spec.ts recomputes it):
//
//   true accuracy      0.95    0.90    0.87    0.80    0.70   0.60 (bar)   0.50   1/3 (spammer)
//   point estimate     0.22%   1.6%    3.4%    11%     35%    69%          92%    99.9%
//   this rule          0.0002% 0.006%  0.02%   0.18%   1.7%   10%          39%    93%
//
// The price: a spammer is blocked after a median of 12 gold instead of 6 (their batches are
// REJECTED by assignmentVerdict meanwhile, so they are not paid for them).
//
// Properties the tests hold it to: no block before `minGoldAnswers` (the floor) or without a bar; a
// perfect record is never blocked, at any bar; more correct answers never block where fewer did not
// (the tail grows with `correct`). A bar of 1 needs no special case: there P(X <= correct) is 0 for
// any miss, so a single miss blocks — right, since one miss proves accuracy under 1 with certainty,
// and a requester who sets 1 asked for every gold answer to be right. A bar of 0 never blocks.
export function workerQuality(params: {
  goldCorrect: number;
  goldSeen: number;
  minGoldAccuracy: number | null;
  minGoldAnswers: number;
}): WorkerQuality {
  const { goldCorrect, goldSeen, minGoldAccuracy, minGoldAnswers } = params;
  const estimatedAccuracy = goldSeen > 0 ? smoothedGoldAccuracy({ correct: goldCorrect, seen: goldSeen }) : null;
  if (minGoldAccuracy === null || goldSeen === 0 || goldSeen < minGoldAnswers)
    return { estimatedAccuracy, block: false };
  const bar = Math.min(1, Math.max(0, minGoldAccuracy));
  const tail = binomialLowerTail({ successes: goldCorrect, trials: goldSeen, p: bar });
  return { estimatedAccuracy, block: tail < 1 - BLOCK_CONFIDENCE };
}
