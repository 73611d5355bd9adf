// RATING answers (numbers in [min, max]) are aggregated by median and by mean. Confidence comes
// from dispersion, mapped to [0, 1] by dividing by the largest dispersion possible on the scale,
// half the range (max - min) / 2:
//   mean:   1 - 2 * standardDeviation / (max - min)        (population SD; <= range/2, Popoviciu)
//   median: 1 - 2 * meanAbsoluteDeviationFromMedian / (max - min)
// so full agreement gives 1 and a split between both ends of the scale gives 0, with no clamping.
// With no scale given, the observed range of all answers is used; a zero range gives 1.
// A single answer has zero dispersion and hence confidence 1: the minimum overlap is what
// protects single answers, not this number.

export interface RatingInput {
  numItems: number;
  itemIndex: Int32Array;
  values: Float64Array;
  min?: number;
  max?: number;
  /** Optional gold value per item, NaN where unknown; gold items get it with confidence 1. */
  gold?: Float64Array;
}

export interface RatingResult {
  /** NaN for items without answers or gold. */
  readonly median: Float64Array;
  readonly mean: Float64Array;
  readonly medianConfidence: Float64Array;
  readonly meanConfidence: Float64Array;
}

export function aggregateRatings(input: RatingInput): RatingResult {
  const { numItems, itemIndex, values, gold } = input;
  if (values.length !== itemIndex.length) throw new RangeError('values must have one entry per answer');
  const [lo, hi] = scale(input);
  const halfRange = (hi - lo) / 2;

  // Group by item (counting sort) so each item's values can be sorted for the median.
  const start = new Int32Array(numItems + 1);
  for (let a = 0; a < itemIndex.length; a++) {
    if (itemIndex[a] < 0 || itemIndex[a] >= numItems) throw new RangeError(`answer ${a} has an item out of range`);
    if (!(values[a] >= lo && values[a] <= hi))
      throw new RangeError(`answer ${a} value ${values[a]} is outside [${lo}, ${hi}]`);
    start[itemIndex[a] + 1]++;
  }
  for (let i = 0; i < numItems; i++) start[i + 1] += start[i];
  const cursor = start.slice(0, numItems);
  const grouped = new Float64Array(values.length);
  for (let a = 0; a < itemIndex.length; a++) grouped[cursor[itemIndex[a]]++] = values[a];

  const median = new Float64Array(numItems).fill(NaN);
  const mean = new Float64Array(numItems).fill(NaN);
  const medianConfidence = new Float64Array(numItems);
  const meanConfidence = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) {
    if (gold !== undefined && !Number.isNaN(gold[i])) {
      median[i] = mean[i] = gold[i];
      medianConfidence[i] = meanConfidence[i] = 1;
      continue;
    }
    const from = start[i],
      to = start[i + 1],
      n = to - from;
    if (n === 0) continue;
    const v = grouped.subarray(from, to).sort();
    const med = n % 2 === 1 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    let sum = 0;
    for (let p = 0; p < n; p++) sum += v[p];
    const mu = sum / n;
    let sq = 0,
      abs = 0;
    for (let p = 0; p < n; p++) {
      sq += (v[p] - mu) ** 2;
      abs += Math.abs(v[p] - med);
    }
    median[i] = med;
    mean[i] = mu;
    meanConfidence[i] = halfRange === 0 ? 1 : 1 - Math.sqrt(sq / n) / halfRange;
    medianConfidence[i] = halfRange === 0 ? 1 : 1 - abs / n / halfRange;
  }
  return { median, mean, medianConfidence, meanConfidence };
}

function scale(input: RatingInput): [number, number] {
  if (input.min !== undefined && input.max !== undefined) {
    if (!(input.min <= input.max)) throw new RangeError('min must be <= max');
    return [input.min, input.max];
  }
  let lo = Infinity,
    hi = -Infinity;
  for (const x of input.values) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (lo === Infinity) return [0, 0];
  return [input.min ?? lo, input.max ?? hi];
}
