import { ibcc } from './ibcc';
import { flippers, twoByTwo } from '../../test/support/tiny-crowds';

describe('ibcc', () => {
  it('does one variational iteration exactly as worked out by hand', () => {
    // Prior strength 2, accuracy 0.5, K = 2: Dirichlet(1, 1) on every confusion row, and
    // Dirichlet(1, 1) on the class proportions. Start: T0 = [1, 0], T1 = [1/2, 1/2].
    // Posterior Dirichlets (prior + expected counts):
    //   worker 0 true-0 row [2, 1.5], true-1 row [1, 1.5]; worker 1 true-0 row [2.5, 1], true-1 [1.5, 1];
    //   classes [2.5, 1.5].
    // Item 1 (worker 0 says 1, worker 1 says 0): ln rho_t = E ln kappa_t + E ln pi0[t][1] + E ln pi1[t][0]
    //   ln rho_0 - ln rho_1 = [psi(2.5) - psi(1.5)]                       (classes; psi(4) cancels)
    //                       + [psi(1.5) - psi(3.5)] - [psi(1.5) - psi(2.5)] (worker 0)
    //                       + [psi(2.5) - psi(3.5)] - [psi(1.5) - psi(2.5)] (worker 1)
    // With psi(x + 1) = psi(x) + 1/x: psi(2.5) - psi(1.5) = 2/3 and psi(3.5) - psi(2.5) = 2/5, so
    //   = 2/3 - 2/5 + (-2/5 + 2/3) = 8/15, and P(item 1 = 0) = sigmoid(8/15).
    const result = ibcc({ matrix: twoByTwo(), prior: { strength: 2, accuracy: 0.5 }, maxIterations: 1, tol: 0 });
    expect(result.posteriors[2]).toBeCloseTo(1 / (1 + Math.exp(-8 / 15)), 12);
  });

  it('learns that some workers invert labels', () => {
    const { matrix, truth } = flippers();
    const result = ibcc({ matrix });
    expect(Array.from(result.labels)).toEqual(truth);
    for (const w of [3, 4]) expect(result.workerAccuracy[w]).toBeLessThan(0.2);
  });

  it('is less sure than its point-estimate twin: the posterior Dirichlet keeps the doubt', () => {
    // Expected logs under a Dirichlet are below the logs of its mean, most for sparse rows, so
    // an item answered by one worker is never pushed to certainty.
    const result = ibcc({ matrix: twoByTwo() });
    expect(result.confidence[1]).toBeLessThan(0.99);
  });
});
