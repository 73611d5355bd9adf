import { matrixFromTriples } from './answer-matrix';
import { dawidSkene } from './dawid-skene';
import { majorityVote } from './majority-vote';
import type { AnswerMatrix } from './types';

type Triple = [number, number, number];

/** 16 items seen by everyone: workers 0-2 always right, 3-4 always flip a binary label.
 * Items 16-19 are seen only by worker 0 and the two flippers, so majority vote gets them wrong;
 * DS, having learnt the flippers' confusion matrices on the first 16, should not. */
function flippersDataset(): { matrix: AnswerMatrix; truth: number[] } {
  const answers: Triple[] = [];
  const truth: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = i % 2;
    truth.push(t);
    const workers = i < 16 ? [0, 1, 2, 3, 4] : [0, 3, 4];
    for (const w of workers) answers.push([i, w, w >= 3 ? 1 - t : t]);
  }
  return { matrix: matrixFromTriples({ answers, numClasses: 2 }), truth };
}

describe('dawidSkene', () => {
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
    ['binary', [[0, 0, 0], [0, 1, 0], [1, 0, 1], [1, 1, 1], [2, 0, 0], [2, 1, 1]], 2],
    ['four classes, sparse', [[0, 0, 3], [0, 1, 3], [1, 1, 2], [2, 2, 0], [2, 0, 1]], 4],
  ])('returns normalised distributions (%s)', (_name, answers, k) => {
    const result = dawidSkene({ matrix: matrixFromTriples({ answers, numClasses: k }) });
    const sum = (xs: Float64Array, from: number) => xs.subarray(from, from + k).reduce((a, b) => a + b, 0);
    expect(sum(result.classPriors, 0)).toBeCloseTo(1, 12);
    for (let row = 0; row < result.confusion.length / k; row++) expect(sum(result.confusion, row * k)).toBeCloseTo(1, 12);
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
    const matrix = matrixFromTriples({ answers: [[0, 0, 1], [0, 0, 1], [0, 1, 0]], numClasses: 2 });
    expect(dawidSkene({ matrix }).labels[0]).toBe(1);
  });

  it('ties on a symmetric input go to the lowest class index', () => {
    const matrix = matrixFromTriples({ answers: [[0, 0, 0], [0, 1, 1]], numClasses: 2 });
    const result = dawidSkene({ matrix });
    expect(result.labels[0]).toBe(0);
    expect(result.confidence[0]).toBeCloseTo(0.5, 12);
  });
});
