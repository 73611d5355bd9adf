import { binomialLowerTail } from './binomial-tail';

// P(X <= k) for X ~ Binomial(n, 1/2), exactly, with big integers: sum of C(n, i) over 2^n.
function exactHalfTail(k: number, n: number): number {
  let binomial = 1n;
  let sum = 0n;
  for (let i = 0; i <= k; i++) {
    sum += binomial;
    binomial = (binomial * BigInt(n - i)) / BigInt(i + 1);
  }
  // Scale to keep 15 significant digits through the division.
  return Number((sum * 10n ** 15n) / 2n ** BigInt(n)) / 1e15;
}

describe('binomialLowerTail', () => {
  it.each([
    // successes, trials, p, P(X <= successes), worked by hand
    [0, 5, 0.6, 0.4 ** 5],
    [2, 5, 0.6, 0.01024 + 0.0768 + 0.2304],
    [3, 5, 0.8, 1 - 5 * 0.8 ** 4 * 0.2 - 0.8 ** 5],
    [4, 5, 0.99, 1 - 0.99 ** 5],
    [5, 5, 0.3, 1],
    [0, 1, 0.5, 0.5],
    [3, 7, 0, 1],
    [3, 7, 1, 0],
  ])('%i of %i at p %p: %p', (successes, trials, p, expected) => {
    expect(binomialLowerTail({ successes, trials, p })).toBeCloseTo(expected, 12);
  });

  it.each([
    [3, 12],
    [20, 60],
    [30, 60],
    [45, 60],
  ])('matches the exact big-integer sum for %i of %i at p 1/2', (k, n) => {
    expect(binomialLowerTail({ successes: k, trials: n, p: 0.5 })).toBeCloseTo(exactHalfTail(k, n), 12);
  });

  it('does not underflow with thousands of trials', () => {
    // (1 - p)^n is about 1e-444 here, below the smallest double; the tail is not.
    const tail = binomialLowerTail({ successes: 1180, trials: 2000, p: 0.6 });
    expect(tail).toBeGreaterThan(0.001);
    expect(tail).toBeLessThan(0.5);
    // 2,000 recurrence steps carry rounding of about 1e-12: far below what a 5% test can notice.
    expect(binomialLowerTail({ successes: 1999, trials: 2000, p: 0.6 })).toBeCloseTo(1 - 0.6 ** 2000, 10);
  });

  it.each([
    [-1, 5, 0.5],
    [6, 5, 0.5],
    [1.5, 5, 0.5],
    [1, 5, 1.1],
    [1, 5, Number.NaN],
  ])('refuses %p of %p at p %p', (successes, trials, p) => {
    expect(() => binomialLowerTail({ successes, trials, p })).toThrow(RangeError);
  });
});
