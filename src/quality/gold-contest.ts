// GOLD_CONTEST: the system asks a reviewer to look at a gold item that workers who are otherwise
// accurate keep missing — the likely sign of a wrong gold label, which would reject and block
// good workers. Pure: counts in, decision out.
//
// The statistic. Only answers of TRUSTED workers count: a worker's agreement with the final
// consensus on regular items (never on gold, so a wrong gold label cannot lower it), smoothed
// (Beta(1, 1)), at least TRUSTED_ACCURACY over at least TRUSTED_MIN_REGULAR compared answers.
// If the gold label is right, trusted worker i misses it with probability at most 1 − a_i (a_i
// their smoothed agreement), independently; the number of misses then follows a Poisson-binomial
// distribution. The item is contested when at least CONTEST_MIN_ANSWERS trusted workers answered
// it, at least half of them missed, and the chance of that many misses under a right label is
// below CONTEST_ALPHA. Example: five workers who agree with consensus 90% of the time, three miss
// → P(X ≥ 3) ≈ 0.0086: contested; two miss → not (fewer than half).

export const TRUSTED_ACCURACY = 0.8;
export const TRUSTED_MIN_REGULAR = 10;
export const CONTEST_MIN_ANSWERS = 5;
export const CONTEST_ALPHA = 0.01;

export interface TrustedGoldAnswer {
  correct: boolean;
  /** The worker's smoothed agreement with consensus on regular items. */
  accuracy: number;
}

export interface GoldContestSignal {
  contest: boolean;
  answers: number;
  misses: number;
  /** P(at least `misses` misses | the gold label is right). */
  pValue: number;
}

/** A worker's smoothed agreement on regular items if it makes them trusted, else null. */
export function trustedAccuracy(params: { regularAgreed: number; regularCompared: number }): number | null {
  if (params.regularCompared < TRUSTED_MIN_REGULAR) return null;
  const accuracy = (params.regularAgreed + 1) / (params.regularCompared + 2);
  return accuracy >= TRUSTED_ACCURACY ? accuracy : null;
}

export function goldContestSignal(answers: readonly TrustedGoldAnswer[]): GoldContestSignal {
  const misses = answers.filter((a) => !a.correct).length;
  const pValue = atLeast(
    answers.map((a) => 1 - a.accuracy),
    misses,
  );
  const contest = answers.length >= CONTEST_MIN_ANSWERS && misses * 2 >= answers.length && pValue < CONTEST_ALPHA;
  return { contest, answers: answers.length, misses, pValue };
}

// P(X >= k) for X the number of successes of independent trials with probabilities `p`.
function atLeast(p: readonly number[], k: number): number {
  let dist = [1];
  for (const q of p) {
    const next = new Array<number>(dist.length + 1).fill(0);
    for (let j = 0; j < dist.length; j++) {
      next[j] += dist[j] * (1 - q);
      next[j + 1] += dist[j] * q;
    }
    dist = next;
  }
  return Math.min(
    1,
    dist.slice(k).reduce((s, x) => s + x, 0),
  );
}
