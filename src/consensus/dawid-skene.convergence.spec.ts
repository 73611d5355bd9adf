import { matrixFromTriples } from './answer-matrix';
import { EM_DEFAULTS } from './confusion-em';
import { dawidSkene } from './dawid-skene';

// Iteration cap, tolerance and the floor against log(0): what keeps EM finite and well-defined.

/** A noisy dataset that needs many EM steps: 30 items, 5 workers of mixed quality, K = 3. */
function noisy() {
  const answers: [number, number, number][] = [];
  for (let i = 0; i < 30; i++) {
    for (let w = 0; w < 5; w++) {
      // Deterministic "noise": worker w is right unless (i * (w + 3)) % (w + 2) === 0.
      const truth = i % 3;
      answers.push([i, w, (i * (w + 3)) % (w + 2) === 0 ? (truth + 1 + (w % 2)) % 3 : truth]);
    }
  }
  return matrixFromTriples({ answers, numClasses: 3 });
}

describe('dawidSkene convergence', () => {
  it.each([1, 2, 7])('tol 0 runs exactly maxIterations = %i and reports non-convergence', (cap) => {
    const result = dawidSkene({ matrix: noisy(), tol: 0, maxIterations: cap });
    expect(result.iterations).toBe(cap);
    expect(result.converged).toBe(false);
  });

  it('uses the textbook stop: largest posterior change under 1e-8, at most 50 iterations', () => {
    expect(EM_DEFAULTS).toEqual({ tol: 1e-8, maxIterations: 50 });
    expect(dawidSkene({ matrix: noisy(), tol: 0 }).iterations).toBe(50);
  });

  it('stops at the first iteration whose largest posterior change is under tol', () => {
    const result = dawidSkene({ matrix: noisy() });
    expect(result.converged).toBe(true);
    // One iteration fewer must not have converged yet: the stop is the first one allowed.
    const before = dawidSkene({ matrix: noisy(), maxIterations: result.iterations - 1 });
    expect(before.converged).toBe(false);
  });

  it('keeps every probability finite when a class is never answered and a worker is sparse', () => {
    // Worker 2 has one answer; class 2 is never answered by anyone; item 3 has no answers.
    const matrix = matrixFromTriples({
      answers: [
        [0, 0, 0],
        [0, 1, 0],
        [1, 0, 1],
        [1, 1, 1],
        [2, 2, 1],
      ],
      numClasses: 3,
      numItems: 4,
    });
    const result = dawidSkene({ matrix });
    for (const p of result.confusion) expect(Number.isFinite(p)).toBe(true);
    // Only the floor keeps a never-seen cell above 0: 1e-10, not a smoothing pseudo-count.
    expect(Math.min(...result.confusion)).toBeCloseTo(1e-10, 20);
    for (const p of result.posteriors) expect(Number.isNaN(p)).toBe(false);
    expect(Number.isFinite(result.logLikelihood)).toBe(true);
    expect(result.labels[3]).toBe(-1);
  });

  it('gives a sparse worker the raw maximum-likelihood confusion row (no smoothing)', () => {
    // Workers 0 and 1 agree on six items; worker 2 answers one item of each class, agreeing:
    // her rows are exactly [1, 0] and [0, 1] up to the floor, so her accuracy is ~1.
    const answers: [number, number, number][] = [];
    for (let i = 0; i < 6; i++) answers.push([i, 0, i % 2], [i, 1, i % 2]);
    answers.push([0, 2, 0], [1, 2, 1]);
    const result = dawidSkene({ matrix: matrixFromTriples({ answers, numClasses: 2 }) });
    expect(result.workerAccuracy[2]).toBeCloseTo(1, 9);
  });

  it('handles a single-class schema', () => {
    const result = dawidSkene({
      matrix: matrixFromTriples({
        answers: [
          [0, 0, 0],
          [1, 1, 0],
        ],
        numClasses: 1,
      }),
    });
    expect(Array.from(result.labels)).toEqual([0, 0]);
    expect(Array.from(result.confidence)).toEqual([1, 1]);
  });

  it.each<[string, object]>([
    ['negative tolerance', { tol: -1 }],
    ['zero iterations', { maxIterations: 0 }],
    ['fractional iterations', { maxIterations: 2.5 }],
  ])('rejects %s', (_name, options) => {
    expect(() => dawidSkene({ matrix: noisy(), ...options })).toThrow(RangeError);
  });
});
