import { smoothedGoldAccuracy } from '../consensus/gold-accuracy';

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

// The worker over all their gold on a dataset. The displayed estimate shrinks toward 1/2
// (Beta(1, 1)), but blocking with that estimate would block a flawless worker whenever the bar is
// high: 5 of 5 correct gives 6/7 = 0.86 < 0.9. So the block decision uses a prior of the same
// weight (two pseudo-answers) centred halfway between the bar and 1: a worker keeps the benefit
// of the doubt until their gold record pulls the estimate under the bar, a perfect record is
// never blocked, and with more evidence the rule approaches "raw accuracy < bar".
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
  // A bar of 1 leaves no room for a prior: any miss blocks.
  if (bar >= 1) return { estimatedAccuracy, block: goldCorrect < goldSeen };
  const lenient = smoothedGoldAccuracy({
    correct: goldCorrect,
    seen: goldSeen,
    priorAlpha: 1 + bar,
    priorBeta: 1 - bar,
  });
  return { estimatedAccuracy, block: lenient < bar };
}
