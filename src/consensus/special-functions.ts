// Special functions the variational methods need (no numerics library in a pure module).

/** Digamma psi(x) = d/dx log Gamma(x) for x > 0: shift x up by the recurrence
 * psi(x) = psi(x + 1) - 1/x until x >= 10, then the asymptotic series
 * psi(x) ~ ln x - 1/(2x) - 1/(12x^2) + 1/(120x^4) - 1/(252x^6) + 1/(240x^8) - 1/(132x^10),
 * whose first omitted term is below 3e-14 there (Abramowitz & Stegun 6.3.5 and 6.3.18). */
export function digamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`digamma needs x > 0 (got ${x})`);
  let shift = 0;
  while (x < 10) {
    shift -= 1 / x;
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))));
  return shift + Math.log(x) - 0.5 * inv - series;
}
