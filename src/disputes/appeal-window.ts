// When labelers may appeal. Pure: times in, a yes or no out. Both rules count from verdicts
// (verdict_at), never from submits or from later decisions that overturned a verdict.

/** A verdict given at `verdictAt` may still be appealed at `now`: strictly within the window
 * (a window of 0 allows no appeal at all). */
export function appealOpen(params: { verdictAt: Date; appealWindowSeconds: number; now: Date }): boolean {
  return params.now.getTime() < params.verdictAt.getTime() + params.appealWindowSeconds * 1000;
}

/** The appeal window of a whole dataset is over once `appealWindowSeconds` have passed since its
 * last verdict (a dataset that never had a verdict has nothing to appeal). From then on nothing
 * more can be owed from its dispute reserve except for cases already open. The refund work calls
 * this to decide whether what is left of the reserve is refundable. */
export function appealWindowOver(params: {
  lastVerdictAt: Date | null;
  appealWindowSeconds: number;
  now: Date;
}): boolean {
  if (params.lastVerdictAt === null) return true;
  return !appealOpen({
    verdictAt: params.lastVerdictAt,
    appealWindowSeconds: params.appealWindowSeconds,
    now: params.now,
  });
}
