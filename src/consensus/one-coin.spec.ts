import { matrixFromTriples } from './answer-matrix';
import { majorityVote } from './majority-vote';
import { oneCoin } from './one-coin';
import { flippers, twoByTwo } from '../../test/support/tiny-crowds';

describe('oneCoin', () => {
  it('does one EM iteration exactly as worked out by hand', () => {
    // Start: T0 = [1, 0], T1 = [1/2, 1/2]; prior [3/4, 1/4].
    // Worker 0: expected right answers = T0[0] + T1[1] = 1.5 of 2 -> p = 3/4.
    // Worker 1: T0[0] + T1[0] = 1.5 of 2 -> p = 3/4. Wrong answers share 1 - p over K - 1 = 1 class.
    // Item 0 (both 0): t0 = 3/4 * 3/4 * 3/4 = 27/64, t1 = 1/4 * 1/4 * 1/4 = 1/64 -> P(0) = 27/28.
    // Item 1 (1 and 0): t0 = 3/4 * 1/4 * 3/4 = 9/64, t1 = 1/4 * 3/4 * 1/4 = 3/64 -> P(0) = 3/4.
    const result = oneCoin({ matrix: twoByTwo(), maxIterations: 1, tol: 0 });
    expect(Array.from(result.posteriors)).toEqual([27 / 28, 1 / 28, 3 / 4, 1 / 4].map((p) => expect.closeTo(p, 12)));
    expect(Array.from(result.workerAccuracy)).toEqual([0.75, 0.75].map((p) => expect.closeTo(p, 12)));
  });

  it("spreads a worker's errors evenly over the wrong classes (K = 3)", () => {
    // Worker 0 is right on the two items workers 1 and 2 agree on, and wrong on the third:
    // a single accuracy, so "said 1 when it was 0" and "said 2 when it was 0" cost the same.
    const answers: [number, number, number][] = [];
    for (let i = 0; i < 3; i++) answers.push([i, 1, i], [i, 2, i]);
    answers.push([0, 0, 0], [1, 0, 1], [2, 0, 0]);
    const result = oneCoin({ matrix: matrixFromTriples({ answers, numClasses: 3 }) });
    expect(Array.from(result.labels)).toEqual([0, 1, 2]);
    expect(result.workerAccuracy[0]).toBeLessThan(result.workerAccuracy[1]);
  });

  it('learns that some workers invert labels and beats majority vote on their items', () => {
    const { matrix, truth } = flippers();
    expect(Array.from(majorityVote({ matrix }).labels.subarray(16))).not.toEqual(truth.slice(16));
    const result = oneCoin({ matrix });
    expect(Array.from(result.labels)).toEqual(truth);
    for (const w of [3, 4]) expect(result.workerAccuracy[w]).toBeLessThan(0.1);
  });

  it('is deterministic', () => {
    const { matrix } = flippers();
    expect(Array.from(oneCoin({ matrix }).posteriors)).toEqual(Array.from(oneCoin({ matrix }).posteriors));
  });
});
