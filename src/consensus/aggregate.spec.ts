import { aggregate, METHOD_CODE_BY_ENUM } from './aggregate';
import { matrixFromTriples } from './answer-matrix';
import { isAggregationMethodCode, type AggregationMethodCode } from './types';
import { NO_CALIBRATION } from './calibration';
import { AUTO_SETTINGS, DEFAULT_METHOD } from './defaults';
import { DEFAULT_AGGREGATION } from '../datasets/dataset-settings';
import { AggregationMethod } from '../datasets/dataset-status';

const matrix = matrixFromTriples({
  answers: [
    [0, 0, 1],
    [0, 1, 1],
    [0, 2, 0],
    [1, 0, 0],
    [1, 1, 0],
    [1, 2, 0],
    [2, 0, 1],
    [2, 2, 1],
  ],
  numClasses: 2,
  numItems: 4,
});

describe('aggregate', () => {
  it.each<AggregationMethodCode>(['mv', 'wmv', 'ds', 'one-coin', 'lfc', 'glad', 'mace', 'ibcc'])(
    'dispatches %s and returns a complete, deterministic result',
    (method) => {
      const a = aggregate({ method, matrix });
      const b = aggregate({ method, matrix });
      expect(a.method).toBe(method);
      expect(Array.from(a.labels)).toEqual([1, 0, 1, -1]);
      expect(a.confidence).toHaveLength(4);
      expect(a.posteriors).toHaveLength(8);
      expect(a.workerAccuracy).toHaveLength(3);
      expect(Array.from(b.posteriors)).toEqual(Array.from(a.posteriors));
    },
  );

  it('passes method options through (DS iteration cap)', () => {
    expect(aggregate({ method: 'ds', matrix, tol: 0, maxIterations: 3 }).iterations).toBe(3);
  });

  it('rejects an unknown method at run time', () => {
    expect(() => aggregate({ method: 'kos', matrix } as never)).toThrow(RangeError);
  });

  it.each<[string, boolean]>([
    ['mv', true],
    ['wmv', true],
    ['ds', true],
    ['one-coin', true],
    ['lfc', true],
    ['glad', true],
    ['mace', true],
    ['ibcc', true],
    ['auto', false],
    ['DS', false],
    ['', false],
  ])('isAggregationMethodCode(%p) = %p', (value, expected) => {
    expect(isAggregationMethodCode(value)).toBe(expected);
  });

  it('maps every GraphQL enum value to a method code (old names unchanged)', () => {
    expect(METHOD_CODE_BY_ENUM).toEqual({
      MAJORITY_VOTE: 'mv',
      WEIGHTED_MAJORITY_VOTE: 'wmv',
      DAWID_SKENE: 'ds',
      ONE_COIN_DAWID_SKENE: 'one-coin',
      LFC: 'lfc',
      GLAD: 'glad',
      MACE: 'mace',
      IBCC: 'ibcc',
      AUTO: 'auto',
    });
  });

  it('knows every AggregationMethod a dataset can have, and datasets default to the consensus default', () => {
    expect(Object.keys(METHOD_CODE_BY_ENUM).sort()).toEqual(Object.values(AggregationMethod).sort());
    expect(METHOD_CODE_BY_ENUM[DEFAULT_AGGREGATION]).toBe(DEFAULT_METHOD);
  });

  it("uses the method's calibration for the confidence unless told otherwise", () => {
    // Item 0: votes 1, 1, 0 -> majority-vote share 2/3; raw with NO_CALIBRATION; with majority
    // vote's T = n^-0.5 (n = 3): (2/3)^sqrt(3) / ((2/3)^sqrt(3) + (1/3)^sqrt(3)).
    expect(aggregate({ method: 'mv', matrix, calibration: NO_CALIBRATION }).confidence[0]).toBeCloseTo(2 / 3, 12);
    expect(aggregate({ method: 'mv', matrix }).confidence[0]).toBeCloseTo(
      2 ** Math.sqrt(3) / (2 ** Math.sqrt(3) + 1),
      12,
    );
  });

  it('runs AUTO: the fallback without enough gold, and reports how it chose', () => {
    const result = aggregate({ method: 'auto', matrix });
    expect(result.selection).toMatchObject({
      method: AUTO_SETTINGS.fallback.method,
      reason: 'too little gold',
      goldItems: 0,
    });
    expect(result.method).toBe(AUTO_SETTINGS.fallback.method);
  });
});
