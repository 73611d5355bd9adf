import { aggregate, isAggregationMethodCode, METHOD_CODE_BY_ENUM } from './aggregate';
import { matrixFromTriples } from './answer-matrix';
import type { AggregationMethodCode } from './types';

const matrix = matrixFromTriples({
  answers: [[0, 0, 1], [0, 1, 1], [0, 2, 0], [1, 0, 0], [1, 1, 0], [1, 2, 0], [2, 0, 1], [2, 2, 1]],
  numClasses: 2, numItems: 4,
});

describe('aggregate', () => {
  it.each<AggregationMethodCode>(['mv', 'wmv', 'ds'])('dispatches %s and returns a complete, deterministic result', (method) => {
    const a = aggregate({ method, matrix });
    const b = aggregate({ method, matrix });
    expect(a.method).toBe(method);
    expect(Array.from(a.labels)).toEqual([1, 0, 1, -1]);
    expect(a.confidence).toHaveLength(4);
    expect(a.posteriors).toHaveLength(8);
    expect(a.workerAccuracy).toHaveLength(3);
    expect(Array.from(b.posteriors)).toEqual(Array.from(a.posteriors));
  });

  it('passes method options through (DS iteration cap)', () => {
    expect(aggregate({ method: 'ds', matrix, tol: 0, maxIterations: 3 }).iterations).toBe(3);
  });

  it('rejects an unknown method at run time', () => {
    expect(() => aggregate({ method: 'glad', matrix } as never)).toThrow(RangeError);
  });

  it.each<[string, boolean]>([['mv', true], ['wmv', true], ['ds', true], ['DS', false], ['', false]])('isAggregationMethodCode(%p) = %p', (value, expected) => {
    expect(isAggregationMethodCode(value)).toBe(expected);
  });

  it('maps every GraphQL enum value to a method code', () => {
    expect(METHOD_CODE_BY_ENUM).toEqual({ MAJORITY_VOTE: 'mv', WEIGHTED_MAJORITY_VOTE: 'wmv', DAWID_SKENE: 'ds' });
  });
});
