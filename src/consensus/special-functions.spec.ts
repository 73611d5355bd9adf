import { digamma } from './special-functions';

const EULER_GAMMA = 0.5772156649015329;

describe('digamma', () => {
  it.each<[number, number]>([
    [1, -EULER_GAMMA], // psi(1) = -gamma
    [0.5, -EULER_GAMMA - 2 * Math.LN2], // psi(1/2) = -gamma - 2 ln 2
    [2, 1 - EULER_GAMMA], // psi(n + 1) = psi(n) + 1/n
    [4, 1 + 1 / 2 + 1 / 3 - EULER_GAMMA],
    [1.5, 2 - EULER_GAMMA - 2 * Math.LN2],
    [0.01, -100.5608854578687], // -1/x + psi(1 + x), psi(1 + x) = -gamma + zeta(2) x - zeta(3) x^2 + ...
  ])('psi(%p) = %p', (x, expected) => {
    expect(digamma(x)).toBeCloseTo(expected, 12);
  });

  it('satisfies the recurrence psi(x + 1) = psi(x) + 1/x across the series cut-over at 10', () => {
    for (const x of [0.3, 2.7, 9.5, 9.999, 10, 12.25, 1e3]) expect(digamma(x + 1)).toBeCloseTo(digamma(x) + 1 / x, 12);
  });

  it.each([0, -1, NaN])('rejects %p', (x) => {
    expect(() => digamma(x)).toThrow(RangeError);
  });
});
