import { matrixFromTriples } from './answer-matrix';
import { dawidSkene } from './dawid-skene';

// Iteration cap, tolerance and smoothing: the knobs that keep EM finite and well-defined.

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

describe('dawidSkene convergence and smoothing', () => {
  it.each([1, 2, 7])('tol 0 runs exactly maxIterations = %i and reports non-convergence', (cap) => {
    const result = dawidSkene({ matrix: noisy(), tol: 0, maxIterations: cap });
    expect(result.iterations).toBe(cap);
    expect(result.converged).toBe(false);
  });

  it('stops before the cap once the log-likelihood settles', () => {
    const result = dawidSkene({ matrix: noisy() });
    expect(result.converged).toBe(true);
    expect(result.iterations).toBeGreaterThan(1);
    expect(result.iterations).toBeLessThan(100);
  });

  it('never exceeds the default cap of 100', () => {
    const result = dawidSkene({ matrix: noisy(), tol: 0 });
    expect(result.iterations).toBe(100);
  });

  it.each([1e-9, 0.01, 1])('smoothing %p keeps every probability finite and non-zero', (smoothing) => {
    // Worker 2 has one answer; class 2 is never answered by anyone; item 3 has no answers.
    const matrix = matrixFromTriples({ answers: [[0, 0, 0], [0, 1, 0], [1, 0, 1], [1, 1, 1], [2, 2, 1]], numClasses: 3, numItems: 4 });
    const result = dawidSkene({ matrix, smoothing });
    for (const p of result.confusion) { expect(Number.isFinite(p)).toBe(true); expect(p).toBeGreaterThan(0); }
    for (const p of result.classPriors) expect(p).toBeGreaterThan(0);
    for (const p of result.posteriors) expect(Number.isNaN(p)).toBe(false);
    expect(Number.isFinite(result.logLikelihood)).toBe(true);
    expect(result.labels[3]).toBe(-1);
  });

  it('lets more smoothing pull a sparse worker toward uniform', () => {
    // Workers 0 and 1 agree on six items; worker 2 answers one item of each class, agreeing.
    // Each of her confusion rows has one answer: (1 + a) / (1 + 2a) is ~0.99 for a = 0.01 and
    // 2/3 for a = 1.
    const answers: [number, number, number][] = [];
    for (let i = 0; i < 6; i++) answers.push([i, 0, i % 2], [i, 1, i % 2]);
    answers.push([0, 2, 0], [1, 2, 1]);
    const matrix = matrixFromTriples({ answers, numClasses: 2 });
    const sparseAccuracy = (smoothing: number) => dawidSkene({ matrix, smoothing }).workerAccuracy[2];
    expect(sparseAccuracy(0.01)).toBeGreaterThan(0.9);
    expect(sparseAccuracy(1)).toBeLessThan(sparseAccuracy(0.01) - 0.1);
    expect(sparseAccuracy(1)).toBeGreaterThan(0.5);
  });

  it('handles a single-class schema', () => {
    const result = dawidSkene({ matrix: matrixFromTriples({ answers: [[0, 0, 0], [1, 1, 0]], numClasses: 1 }) });
    expect(Array.from(result.labels)).toEqual([0, 0]);
    expect(Array.from(result.confidence)).toEqual([1, 1]);
  });

  it.each<[string, object]>([
    ['zero smoothing', { smoothing: 0 }],
    ['negative tolerance', { tol: -1 }],
    ['zero iterations', { maxIterations: 0 }],
    ['fractional iterations', { maxIterations: 2.5 }],
  ])('rejects %s', (_name, options) => {
    expect(() => dawidSkene({ matrix: noisy(), ...options })).toThrow(RangeError);
  });
});
