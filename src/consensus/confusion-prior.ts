// The Dirichlet prior LFC and IBCC put on every row of a worker's confusion matrix, described by
// two numbers instead of K x K pseudo-counts: `strength` pseudo-answers per row, a share
// `accuracy` of them on the diagonal and the rest spread evenly over the K - 1 wrong classes.
// ("A worker is right `accuracy` of the time, as if we had seen `strength` of their answers.")

export interface ConfusionPrior {
  readonly strength: number;
  readonly accuracy: number;
}

export function assertValidPrior(prior: ConfusionPrior): void {
  if (!(prior.strength > 0) || !Number.isFinite(prior.strength))
    throw new RangeError('prior strength must be a positive number');
  if (!(prior.accuracy > 0 && prior.accuracy < 1)) throw new RangeError('prior accuracy must be in (0, 1)');
}

/** Pseudo-counts for (true t, answered a) with K classes. */
export function priorPseudoCount(params: { prior: ConfusionPrior; k: number; right: boolean }): number {
  const { prior, k, right } = params;
  if (k === 1) return prior.strength;
  return right ? prior.strength * prior.accuracy : (prior.strength * (1 - prior.accuracy)) / (k - 1);
}
