import { matrixFromTriples } from './answer-matrix';
import { dawidSkene } from './dawid-skene';
import { majorityVote } from './majority-vote';
import { flippers as flippersDataset, twoByTwo } from '../../test/support/tiny-crowds';

type Triple = [number, number, number];

describe('dawidSkene', () => {
  it('does one EM iteration exactly as worked out by hand', () => {
    // Start (soft majority vote): T0 = [1, 0], T1 = [1/2, 1/2].
    // M-step: class mass [1.5, 0.5] -> prior [3/4, 1/4].
    //   Worker 0 answered 0 on item 0 and 1 on item 1: true-0 row counts [1, 1/2] -> [2/3, 1/3];
    //   true-1 row counts [0, 1/2] -> [0 (floored to 1e-10), 1].
    //   Worker 1 answered 0 on both: both rows -> [1, 0].
    // E-step, item 1 (worker 0 says 1, worker 1 says 0):
    //   t = 0: 3/4 * 1/3 * 1 = 1/4;  t = 1: 1/4 * 1 * 1 = 1/4  -> [1/2, 1/2] (a tie up to rounding).
    // Item 0 (both say 0): t = 0: 3/4 * 2/3 = 1/2; t = 1: 1/4 * 1e-10 -> P(1) = 5e-11.
    const result = dawidSkene({ matrix: twoByTwo(), maxIterations: 1, tol: 0 });
    expect(result.posteriors[2]).toBeCloseTo(0.5, 12);
    expect(result.posteriors[1]).toBeCloseTo(2.5e-11 / (0.5 + 2.5e-11), 20);
    expect(Array.from(result.classPriors)).toEqual([0.75, 0.25].map((p) => expect.closeTo(p, 12)));
    // confusion[w][true][answered]
    expect(Array.from(result.confusion.subarray(0, 4))).toEqual(
      [2 / 3, 1 / 3, 1e-10, 1].map((p) => expect.closeTo(p, 12)),
    );
    expect(result.labels[0]).toBe(0);
  });

  it('stops as soon as no posterior moves by more than 1e-8', () => {
    // Iteration 1 moves item 0 by 5e-11 and item 1 by 0 (above): converged after one iteration.
    const result = dawidSkene({ matrix: twoByTwo() });
    expect(result.iterations).toBe(1);
    expect(result.converged).toBe(true);
  });

  it('learns that some workers invert labels and beats majority vote on their items', () => {
    const { matrix, truth } = flippersDataset();
    const mv = majorityVote({ matrix });
    const ds = dawidSkene({ matrix });
    expect(Array.from(mv.labels.subarray(16))).not.toEqual(truth.slice(16));
    expect(Array.from(ds.labels)).toEqual(truth);
    expect(ds.converged).toBe(true);
    for (const w of [0, 1, 2]) expect(ds.workerAccuracy[w]).toBeGreaterThan(0.9);
    for (const w of [3, 4]) expect(ds.workerAccuracy[w]).toBeLessThan(0.1);
  });

  it.each<[string, Triple[], number]>([
    [
      'binary',
      [
        [0, 0, 0],
        [0, 1, 0],
        [1, 0, 1],
        [1, 1, 1],
        [2, 0, 0],
        [2, 1, 1],
      ],
      2,
    ],
    [
      'four classes, sparse',
      [
        [0, 0, 3],
        [0, 1, 3],
        [1, 1, 2],
        [2, 2, 0],
        [2, 0, 1],
      ],
      4,
    ],
  ])('returns normalised distributions (%s)', (_name, answers, k) => {
    const result = dawidSkene({ matrix: matrixFromTriples({ answers, numClasses: k }) });
    const sum = (xs: Float64Array, from: number) => xs.subarray(from, from + k).reduce((a, b) => a + b, 0);
    expect(sum(result.classPriors, 0)).toBeCloseTo(1, 12);
    // Rows sum to 1 up to the 1e-10 floor of never-seen cells.
    for (let row = 0; row < result.confusion.length / k; row++)
      expect(sum(result.confusion, row * k)).toBeCloseTo(1, 9);
    for (let i = 0; i < result.labels.length; i++) {
      expect(sum(result.posteriors, i * k)).toBeCloseTo(1, 12);
      expect(result.confidence[i]).toBe(result.posteriors[i * k + result.labels[i]]);
    }
  });

  it('is deterministic: the same input gives bit-identical output', () => {
    const { matrix } = flippersDataset();
    const a = dawidSkene({ matrix });
    const b = dawidSkene({ matrix });
    expect(Array.from(b.posteriors)).toEqual(Array.from(a.posteriors));
    expect(Array.from(b.confusion)).toEqual(Array.from(a.confusion));
    expect(b.iterations).toBe(a.iterations);
  });

  it('does not depend on the order of the answers', () => {
    const { matrix } = flippersDataset();
    const n = matrix.itemIndex.length;
    // A fixed permutation (multiplication by a unit mod n) instead of randomness.
    const perm = Array.from({ length: n }, (_, a) => (a * 7) % n);
    expect(new Set(perm).size).toBe(n);
    const shuffled = {
      ...matrix,
      itemIndex: Int32Array.from(perm, (p) => matrix.itemIndex[p]),
      workerIndex: Int32Array.from(perm, (p) => matrix.workerIndex[p]),
      labelIndex: Int32Array.from(perm, (p) => matrix.labelIndex[p]),
    };
    const a = dawidSkene({ matrix });
    const b = dawidSkene({ matrix: shuffled });
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    a.posteriors.forEach((x, i) => expect(Math.abs(x - b.posteriors[i])).toBeLessThan(1e-9));
  });

  it('counts a repeated (item, worker) answer twice, as the source data does', () => {
    // Worker 0 says 1 twice on item 0; worker 1 says 0 once. Two votes beat one.
    const matrix = matrixFromTriples({
      answers: [
        [0, 0, 1],
        [0, 0, 1],
        [0, 1, 0],
      ],
      numClasses: 2,
    });
    expect(dawidSkene({ matrix }).labels[0]).toBe(1);
  });

  it('ties on a symmetric input go to the lowest class index', () => {
    const matrix = matrixFromTriples({
      answers: [
        [0, 0, 0],
        [0, 1, 1],
      ],
      numClasses: 2,
    });
    const result = dawidSkene({ matrix });
    expect(result.labels[0]).toBe(0);
    expect(result.confidence[0]).toBeCloseTo(0.5, 12);
  });
});
