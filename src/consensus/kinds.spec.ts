import { aggregateFreeText, normaliseText } from './free-text';
import { aggregateMultiChoice, type MultiChoiceInput } from './multi-choice';
import { aggregateRatings } from './rating';
import type { AggregationMethodCode } from './types';
import { CONFIDENCE_CALIBRATION } from './defaults';

/** One answer per entry of `sets`: worker w selected sets[w] on item `items[w]`. */
function multi(params: {
  sets: number[][];
  items?: number[];
  k: number;
  method: AggregationMethodCode;
  gold?: Int8Array;
}): MultiChoiceInput {
  const { sets, k, method } = params;
  const items = params.items ?? sets.map(() => 0);
  const selectedStart = new Int32Array(sets.length + 1);
  sets.forEach((s, a) => {
    selectedStart[a + 1] = selectedStart[a] + s.length;
  });
  return {
    numItems: Math.max(...items) + 1,
    numWorkers: sets.length,
    numClasses: k,
    itemIndex: Int32Array.from(items),
    workerIndex: Int32Array.from(sets, (_, w) => w),
    selectedStart,
    selectedClass: Int32Array.from(sets.flat()),
    method,
    gold: params.gold,
  };
}

describe('aggregateMultiChoice', () => {
  it('selects each class by its own vote; confidence is the product over classes', () => {
    // Class 0: 3/3 yes; class 1: 1/3 yes -> no (vote share 2/3); class 2 the same. Majority vote's
    // calibration T = 1 * n^-0.5 (n = 3 answers) turns a 2/3 share into
    // (2/3)^sqrt(3) / ((2/3)^sqrt(3) + (1/3)^sqrt(3)) = 2^sqrt(3) / (2^sqrt(3) + 1).
    expect(CONFIDENCE_CALIBRATION.mv).toEqual({ scale: 1, exponent: -0.5 });
    const twoOfThree = 2 ** Math.sqrt(3) / (2 ** Math.sqrt(3) + 1);
    const result = aggregateMultiChoice(multi({ sets: [[0, 1], [0], [0, 2]], k: 3, method: 'mv' }));
    expect(Array.from(result.selected)).toEqual([1, 0, 0]);
    expect(Array.from(result.classConfidence)).toEqual([1, twoOfThree, twoOfThree].map((p) => expect.closeTo(p, 12)));
    expect(result.confidence[0]).toBeCloseTo(twoOfThree ** 2, 12);
  });

  it('leaves a class unselected on a tie and allows the empty set', () => {
    const result = aggregateMultiChoice(multi({ sets: [[1], []], k: 2, method: 'mv' }));
    expect(Array.from(result.selected)).toEqual([0, 0]);
  });

  it.each<AggregationMethodCode>(['mv', 'wmv', 'ds'])('runs every categorical method (%s) without NaN', (method) => {
    const result = aggregateMultiChoice(
      multi({ sets: [[0, 1], [0], [1], [0, 1], []], items: [0, 0, 1, 1, 2], k: 2, method }),
    );
    for (const x of result.confidence) expect(Number.isNaN(x)).toBe(false);
    for (const x of result.workerAccuracy) {
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(1);
    }
  });

  it('clamps gold per class and leaves items without data unlabelled', () => {
    const gold = Int8Array.from([0, 1, -1, -1, -1, -1]); // item 0 gold {1}; items 1, 2 none
    const input = { ...multi({ sets: [[0], [0]], k: 2, method: 'ds', gold }), numItems: 3 };
    const result = aggregateMultiChoice(input);
    expect(Array.from(result.selected.subarray(0, 2))).toEqual([0, 1]);
    expect(result.confidence[0]).toBe(1);
    expect(result.confidence[2]).toBe(0);
  });

  it('rejects a selected class out of range', () => {
    expect(() => aggregateMultiChoice(multi({ sets: [[3]], k: 2, method: 'mv' }))).toThrow(RangeError);
  });
});

describe('aggregateRatings', () => {
  it.each<[string, number[], number, number, number, number]>([
    // sd = sqrt(2/3), half range 2 -> 1 - 0.4082; mean |x - 2| = 2/3 -> 1 - 1/3.
    ['spread answers', [1, 2, 3], 2, 2, 1 - Math.sqrt(2 / 3) / 2, 2 / 3],
    ['unanimous', [4, 4, 4], 4, 4, 1, 1],
    ['both ends of the scale', [1, 5], 3, 3, 0, 0],
    ['even count: median is the mean of the middle two', [1, 2, 4, 5], 3, 3, 1 - Math.sqrt(2.5) / 2, 1 - 1.5 / 2],
    ['a single answer', [2], 2, 2, 1, 1],
  ])('%s', (_name, values, median, mean, meanConf, medianConf) => {
    const r = aggregateRatings({
      numItems: 1,
      itemIndex: new Int32Array(values.length),
      values: Float64Array.from(values),
      min: 1,
      max: 5,
    });
    expect(r.median[0]).toBeCloseTo(median, 12);
    expect(r.mean[0]).toBeCloseTo(mean, 12);
    expect(r.meanConfidence[0]).toBeCloseTo(meanConf, 12);
    expect(r.medianConfidence[0]).toBeCloseTo(medianConf, 12);
  });

  it('uses the observed range without a scale, gold where known, NaN without data', () => {
    const r = aggregateRatings({
      numItems: 3,
      itemIndex: Int32Array.from([0, 0, 1]),
      values: Float64Array.from([0, 10, 3]),
      gold: Float64Array.from([NaN, 7, NaN]),
    });
    expect(r.meanConfidence[0]).toBe(0); // 0 and 10 are the ends of the observed range
    expect([r.median[1], r.meanConfidence[1]]).toEqual([7, 1]);
    expect(Number.isNaN(r.median[2])).toBe(true);
    expect(r.medianConfidence[2]).toBe(0);
  });

  it('rejects a value outside the scale', () => {
    expect(() =>
      aggregateRatings({ numItems: 1, itemIndex: new Int32Array(1), values: Float64Array.from([6]), min: 1, max: 5 }),
    ).toThrow(RangeError);
  });
});

describe('aggregateFreeText', () => {
  it.each<[string, string, string]>([
    ['trims', '  new york ', 'new york'],
    ['lower-cases', 'New York', 'new york'],
    ['collapses whitespace', 'new \t\n york', 'new york'],
    ['composes Unicode', 'Cafe\u0301', 'caf\u00e9'],
  ])('normalisation %s', (_name, input, expected) => {
    expect(normaliseText(input)).toBe(expected);
  });

  it.each<[string, string[], string, number]>([
    ['normalised majority', ['  New York', 'new   york', 'Boston'], 'new york', 2 / 3],
    ['tie goes to the lowest text', ['b', 'a'], 'a', 0.5],
    ['unanimous', ['x', 'X '], 'x', 1],
  ])('%s', (_name, texts, label, confidence) => {
    const r = aggregateFreeText({ numItems: 1, itemIndex: new Int32Array(texts.length), texts });
    expect(r.labels[0]).toBe(label);
    expect(r.confidence[0]).toBeCloseTo(confidence, 12);
  });

  it('uses gold where known and null without answers', () => {
    const r = aggregateFreeText({
      numItems: 3,
      itemIndex: Int32Array.from([0, 1]),
      texts: ['a', 'b'],
      gold: new Map([[1, ' Gold ']]),
    });
    expect(r.labels).toEqual(['a', 'gold', null]);
    expect(Array.from(r.confidence)).toEqual([1, 1, 0]);
  });
});
