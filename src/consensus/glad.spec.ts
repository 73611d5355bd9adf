import { matrixFromTriples } from './answer-matrix';
import { glad } from './glad';
import { NO_GOLD } from './types';
import { flippers, twoByTwo } from '../../test/support/tiny-crowds';

describe('glad', () => {
  it('computes the E-step of one iteration exactly as worked out by hand', () => {
    // One iteration = M-step (class prior from the soft-majority start, then alpha and beta), then
    // the E-step with those parameters, which the result reports. Start: T0 = [1, 0],
    // T1 = [1/2, 1/2], so the class prior is [3/4, 1/4]. Item 1: worker 0 says 1, worker 1 says 0;
    // with s_w = sigmoid(alpha_w beta_1) and K = 2 (a wrong answer takes all of 1 - s_w):
    //   P(1 is 0) ~ 3/4 (1 - s_0) s_1,   P(1 is 1) ~ 1/4 s_0 (1 - s_1).
    const result = glad({ matrix: twoByTwo(), maxIterations: 1, tol: 0 });
    const s = (w: number) => 1 / (1 + Math.exp(-result.ability[w] * result.easiness[1]));
    const zero = 0.75 * (1 - s(0)) * s(1),
      one = 0.25 * s(0) * (1 - s(1));
    expect(result.posteriors[2]).toBeCloseTo(zero / (zero + one), 12);
    // Both workers agree with the start on 1.5 of their 2 answers: the M-step gives them the same
    // ability, below the prior mean 1 (their record is not perfect).
    expect(result.ability[0]).toBeCloseTo(result.ability[1], 12);
    expect(result.ability[0]).toBeLessThan(1);
  });

  it('gives an adversarial worker a negative ability and reads their answers inverted', () => {
    const { matrix, truth } = flippers();
    const result = glad({ matrix });
    expect(Array.from(result.labels)).toEqual(truth);
    for (const w of [0, 1, 2]) expect(result.ability[w]).toBeGreaterThan(0);
    for (const w of [3, 4]) expect(result.ability[w]).toBeLessThan(0);
  });

  it('rates an item that splits good workers as harder than one they agree on', () => {
    // Workers 0-3 agree on items 0-5; on item 6 they split 2-2.
    const answers: [number, number, number][] = [];
    for (let i = 0; i < 6; i++) for (let w = 0; w < 4; w++) answers.push([i, w, i % 2]);
    for (let w = 0; w < 4; w++) answers.push([6, w, w % 2]);
    const result = glad({ matrix: matrixFromTriples({ answers, numClasses: 2 }) });
    expect(result.easiness[6]).toBeLessThan(result.easiness[0]);
  });

  it('with one answer per item and one worker, follows the worker (prior mean ability 1 > 0)', () => {
    // alpha = 1, beta = e at the start: P(right) = sigmoid(e) = 0.94; nothing pulls it below 1/2.
    const result = glad({
      matrix: matrixFromTriples({
        answers: [
          [0, 0, 1],
          [1, 0, 0],
        ],
        numClasses: 2,
      }),
    });
    expect(Array.from(result.labels)).toEqual([1, 0]);
  });

  it('keeps gold items one-hot and is deterministic', () => {
    const { matrix } = flippers();
    const gold = new Int32Array(matrix.numItems).fill(NO_GOLD);
    gold[0] = 1;
    const a = glad({ matrix, gold });
    expect(Array.from(a.posteriors.subarray(0, 2))).toEqual([0, 1]);
    expect(Array.from(glad({ matrix, gold }).posteriors)).toEqual(Array.from(a.posteriors));
  });
});
