// Worker accuracy from gold answers, shrunk toward a Beta prior. A worker who got their first
// gold item right is not "100% accurate": with Beta(a, b) the posterior mean is
// (correct + a) / (seen + a + b), which starts at the prior mean a / (a + b) and approaches the
// raw rate as evidence accumulates. Never 0 or 1 for a, b > 0, so log-odds weights stay finite.

export interface GoldAccuracyInput {
  correct: number;
  seen: number;
  /** Pseudo-count of correct answers (default 1: Laplace's rule of succession). */
  priorAlpha?: number;
  /** Pseudo-count of wrong answers (default 1). */
  priorBeta?: number;
}

export function smoothedGoldAccuracy(input: GoldAccuracyInput): number {
  const { correct, seen } = input;
  const a = input.priorAlpha ?? 1;
  const b = input.priorBeta ?? 1;
  if (!(a > 0) || !(b > 0)) throw new RangeError('priorAlpha and priorBeta must be positive');
  if (!(seen >= 0) || !(correct >= 0) || correct > seen) {
    throw new RangeError('need 0 <= correct <= seen');
  }
  return (correct + a) / (seen + a + b);
}

/** Log-odds vote weight of a worker with accuracy `accuracy` among `numClasses` classes: the
 * optimal weight under the "one-coin" model (correct with p, otherwise uniform over the other
 * classes). 0 for a random guesser (p = 1/K), negative for a worker worse than chance. */
export function logOddsWeight(params: { accuracy: number; numClasses: number }): number {
  const { numClasses } = params;
  if (numClasses < 2) return 0;
  // Clamp so an externally supplied 0 or 1 cannot produce an infinite weight.
  const p = Math.min(1 - 1e-9, Math.max(1e-9, params.accuracy));
  return Math.log(((numClasses - 1) * p) / (1 - p));
}
