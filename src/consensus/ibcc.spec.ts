import { matrixFromTriples } from './answer-matrix';
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

  it("reports a sparse worker's accuracy at the posterior mean, near the prior", () => {
    // Workers 0 and 1 agree on six items; worker 2 answers two of them (one of each class),
    // agreeing. With a Dirichlet(1, 1) prior per row (strength 2, accuracy 0.5) each of her rows
    // has posterior mean (1 + 1) / (1 + 2) = 2/3 on the diagonal (a little less: the items'
    // posteriors are not exactly one-hot), where Dawid-Skene says 1.
    const answers: [number, number, number][] = [];
    for (let i = 0; i < 6; i++) answers.push([i, 0, i % 2], [i, 1, i % 2]);
    answers.push([0, 2, 0], [1, 2, 1]);
    const result = ibcc({
      matrix: matrixFromTriples({ answers, numClasses: 2 }),
      prior: { strength: 2, accuracy: 0.5 },
    });
    expect(result.workerAccuracy[2]).toBeCloseTo(2 / 3, 2);
  });
});
