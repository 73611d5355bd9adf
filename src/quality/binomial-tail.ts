// The lower tail of the binomial distribution, P(X <= successes) for X ~ Binomial(trials, p).
// Pure arithmetic. It is what the one-sided Clopper–Pearson upper bound inverts: that bound is
// under p exactly when this tail is under 1 - confidence, so a caller that only needs to compare
// the bound with one value (the quality gate's bar) needs no root finding and no beta quantile.

export function binomialLowerTail(params: { successes: number; trials: number; p: number }): number {
  const { successes, trials, p } = params;
  if (!Number.isInteger(trials) || !Number.isInteger(successes) || successes < 0 || successes > trials)
    throw new RangeError('need integers 0 <= successes <= trials');
  if (!(p >= 0 && p <= 1)) throw new RangeError('p must be in [0, 1]');
  if (successes === trials || p === 0) return 1;
  if (p === 1) return 0;
  // Terms P(X = i) in log space, from i = 0 up: with hundreds of trials P(X = 0) = (1 - p)^n
  // underflows a double, but its logarithm does not. Each term follows from the one before by
  // C(n, i + 1) / C(n, i) = (n - i) / (i + 1). O(successes) steps, microseconds for any gold
  // record a worker can hold; rounding grows with the steps (about 1e-12 after 2,000), far below
  // anything a comparison with a 5% level can notice.
  const logOdds = Math.log(p) - Math.log1p(-p);
  let logTerm = trials * Math.log1p(-p);
  let logSum = logTerm;
  for (let i = 0; i < successes; i++) {
    logTerm += Math.log((trials - i) / (i + 1)) + logOdds;
    logSum = logAddExp(logSum, logTerm);
  }
  return Math.min(1, Math.exp(logSum));
}

function logAddExp(a: number, b: number): number {
  const high = Math.max(a, b);
  if (high === -Infinity) return -Infinity;
  return high + Math.log1p(Math.exp(-Math.abs(a - b)));
}
