import { dawidSkene } from './dawid-skene';
import { lfc } from './lfc';
import { flippers, twoByTwo } from '../../test/support/tiny-crowds';
import { matrixFromTriples } from './answer-matrix';

describe('lfc', () => {
  it('does one MAP-EM iteration exactly as worked out by hand', () => {
    // Prior strength 1, accuracy 0.8, K = 2: pseudo-counts 0.8 on the diagonal, 0.2 off it.
    // Start: T0 = [1, 0], T1 = [1/2, 1/2]; class prior [3/4, 1/4].
    // Worker 0 (0 on item 0, 1 on item 1): true-0 row counts [1, 1/2] + [0.8, 0.2] = [1.8, 0.7] / 2.5;
    //   true-1 row [0, 1/2] + [0.2, 0.8] = [0.2, 1.3] / 1.5.
    // Worker 1 (0 on both): true-0 row [1.5, 0] + [0.8, 0.2] = [2.3, 0.2] / 2.5;
    //   true-1 row [0.5, 0] + [0.2, 0.8] = [0.7, 0.8] / 1.5.
    // Item 1 (worker 0 says 1, worker 1 says 0):
    //   t0 = 3/4 * 0.7/2.5 * 2.3/2.5 = 0.1932;  t1 = 1/4 * 1.3/1.5 * 0.7/1.5 = 91/900.
    // Item 0 (both 0): t0 = 3/4 * 1.8/2.5 * 2.3/2.5 = 0.4968;  t1 = 1/4 * 0.2/1.5 * 0.7/1.5 = 14/900.
    const result = lfc({ matrix: twoByTwo(), prior: { strength: 1, accuracy: 0.8 }, maxIterations: 1, tol: 0 });
    expect(result.posteriors[0]).toBeCloseTo(0.4968 / (0.4968 + 14 / 900), 12);
    expect(result.posteriors[2]).toBeCloseTo(0.1932 / (0.1932 + 91 / 900), 12);
  });

  it('keeps a sparse worker near the prior where Dawid-Skene gives them a perfect record', () => {
    // Workers 0 and 1 agree on six items; worker 2 answers two of them, agreeing. DS: her rows are
    // exactly [1, 0] / [0, 1]. LFC with strength 4, accuracy 0.7: (1 + 2.8) / (1 + 4) = 0.76 on
    // each row (a little less, as the items' posteriors are not exactly one-hot).
    const answers: [number, number, number][] = [];
    for (let i = 0; i < 6; i++) answers.push([i, 0, i % 2], [i, 1, i % 2]);
    answers.push([0, 2, 0], [1, 2, 1]);
    const matrix = matrixFromTriples({ answers, numClasses: 2 });
    expect(dawidSkene({ matrix }).workerAccuracy[2]).toBeCloseTo(1, 9);
    expect(lfc({ matrix, prior: { strength: 4, accuracy: 0.7 } }).workerAccuracy[2]).toBeCloseTo(0.76, 2);
  });

  it('learns that some workers invert labels', () => {
    const { matrix, truth } = flippers();
    expect(Array.from(lfc({ matrix }).labels)).toEqual(truth);
  });

  it.each<[string, { strength: number; accuracy: number }]>([
    ['zero strength', { strength: 0, accuracy: 0.7 }],
    ['accuracy 1', { strength: 1, accuracy: 1 }],
    ['accuracy 0', { strength: 1, accuracy: 0 }],
  ])('rejects a prior with %s', (_name, prior) => {
    expect(() => lfc({ matrix: twoByTwo(), prior })).toThrow(RangeError);
  });
});
