import { matrixFromTriples } from './answer-matrix';
import { mace } from './mace';
import { digamma } from './special-functions';
import { twoByTwo } from '../../test/support/tiny-crowds';

describe('mace', () => {
  it('does one variational iteration exactly as worked out by hand', () => {
    // Start: T0 = [1, 0], T1 = [1/2, 1/2]; theta = 1/2 and xi = [1/2, 1/2] for everyone, so an
    // answer a on an item with P(T = a) = q was "known" with probability q * (1/2) / (1/2 + 1/4) = 2q/3.
    // Worker 0: known 2/3 (item 0) + 1/3 (item 1) = 1 of 2; spammed label 0: 1/3, label 1: 2/3.
    // Worker 1: known 2/3 + 1/3 = 1 of 2; spammed label 0: 1, label 1: 0.
    // Both: exp(E ln theta) = exp(E ln(1 - theta)) = exp(psi(1.5) - psi(3)) =: s (Beta(0.5, 0.5) prior).
    // Strategies (Dirichlet(10) prior, 1 spammed answer each): xi0[1] = exp(psi(10 + 2/3) - psi(21)),
    // xi1[0] = exp(psi(11) - psi(21)).
    // Item 1 (worker 0 says 1, worker 1 says 0), uniform prior over T:
    //   T = 0: (s xi0[1]) (s xi1[0] + s);  T = 1: (s xi0[1] + s) (s xi1[0])
    //   so P(0) / P(1) = xi0[1] (xi1[0] + 1) / ((xi0[1] + 1) xi1[0]).
    const a = Math.exp(digamma(10 + 2 / 3) - digamma(21));
    const b = Math.exp(digamma(11) - digamma(21));
    const odds = (a * (b + 1)) / ((a + 1) * b);
    const result = mace({ matrix: twoByTwo(), maxIterations: 1, tol: 0 });
    expect(result.posteriors[2]).toBeCloseTo(odds / (1 + odds), 12);
  });

  it('recognises a spammer who always gives the same answer and ignores them', () => {
    // Workers 0 and 1 are right on 12 items; worker 2 answers 1 on everything. On item 12 only
    // worker 0 (says 0) and the spammer (says 1) answered: MACE trusts worker 0.
    const answers: [number, number, number][] = [];
    for (let i = 0; i < 12; i++) answers.push([i, 0, i % 2], [i, 1, i % 2], [i, 2, 1]);
    answers.push([12, 0, 0], [12, 2, 1]);
    const result = mace({ matrix: matrixFromTriples({ answers, numClasses: 2 }) });
    expect(result.labels[12]).toBe(0);
    expect(result.workerAccuracy[2]).toBeLessThan(result.workerAccuracy[0]);
  });
});
