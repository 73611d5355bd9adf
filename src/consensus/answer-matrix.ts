import { NO_GOLD, NO_LABEL, type AnswerMatrix, type GoldLabels } from './types';

// Helpers shared by every method: input validation, grouping answers by item, vote counting and
// the one deterministic argmax all methods use for tie-breaking.

/** Answers regrouped by item (CSR layout): answers of item i are positions
 * start[i] .. start[i+1]-1 of `worker` / `label`. Stable, so the result is deterministic. */
export interface ItemGroups {
  readonly start: Int32Array;
  readonly worker: Int32Array;
  readonly label: Int32Array;
}

/** Throws a RangeError naming the first bad entry: indices outside the declared sizes would
 * otherwise silently corrupt typed-array arithmetic (out-of-range writes are dropped). */
export function assertValidMatrix(m: AnswerMatrix, gold?: GoldLabels): void {
  const n = m.itemIndex.length;
  if (m.workerIndex.length !== n || m.labelIndex.length !== n) {
    throw new RangeError('itemIndex, workerIndex and labelIndex must have the same length');
  }
  if (m.numClasses < 1) throw new RangeError('numClasses must be at least 1');
  for (let a = 0; a < n; a++) {
    const i = m.itemIndex[a],
      w = m.workerIndex[a],
      l = m.labelIndex[a];
    if (i < 0 || i >= m.numItems || w < 0 || w >= m.numWorkers || l < 0 || l >= m.numClasses) {
      throw new RangeError(`answer ${a} has an index out of range (item ${i}, worker ${w}, label ${l})`);
    }
  }
  if (gold !== undefined) {
    if (gold.length !== m.numItems) throw new RangeError('gold must have one entry per item');
    for (let i = 0; i < gold.length; i++) {
      if (gold[i] !== NO_GOLD && (gold[i] < 0 || gold[i] >= m.numClasses)) {
        throw new RangeError(`gold label of item ${i} is out of range`);
      }
    }
  }
}

/** Counting sort by item: O(answers + items), keeps input order inside an item. */
export function groupByItem(m: AnswerMatrix): ItemGroups {
  const n = m.itemIndex.length;
  const start = new Int32Array(m.numItems + 1);
  for (let a = 0; a < n; a++) start[m.itemIndex[a] + 1]++;
  for (let i = 0; i < m.numItems; i++) start[i + 1] += start[i];
  const cursor = start.slice(0, m.numItems);
  const worker = new Int32Array(n);
  const label = new Int32Array(n);
  for (let a = 0; a < n; a++) {
    const p = cursor[m.itemIndex[a]]++;
    worker[p] = m.workerIndex[a];
    label[p] = m.labelIndex[a];
  }
  return { start, worker, label };
}

/** numItems x numClasses vote counts, row-major. */
export function countVotes(m: AnswerMatrix): Float64Array {
  const k = m.numClasses;
  const counts = new Float64Array(m.numItems * k);
  for (let a = 0; a < m.itemIndex.length; a++) counts[m.itemIndex[a] * k + m.labelIndex[a]]++;
  return counts;
}

/** A row-major numRows x k table. Row helpers take it as one object (created once per table, not
 * per call) so hot loops do not allocate. */
export interface RowTable {
  readonly values: Float64Array;
  readonly k: number;
}

/** Index of the largest value in row `row`; ties go to the LOWEST class index. This is the single
 * documented tie-break of the module (classes are sorted, so it is also the lowest label). */
export function argmaxRow(table: RowTable, row: number): number {
  const { values, k } = table;
  const base = row * k;
  let best = 0;
  for (let c = 1; c < k; c++) if (values[base + c] > values[base + best]) best = c;
  return best;
}

/** Sets labels/confidence from a posterior table; items without answers or gold get NO_LABEL,
 * confidence 0 and an all-zero posterior row so callers never mistake "no data" for certainty. */
export function finishLabels(params: {
  posteriors: Float64Array;
  answersPerItem: Int32Array;
  gold?: GoldLabels;
  k: number;
}): { labels: Int32Array; confidence: Float64Array } {
  const { posteriors, answersPerItem, gold, k } = params;
  const numItems = answersPerItem.length;
  const table = { values: posteriors, k };
  const labels = new Int32Array(numItems);
  const confidence = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) {
    const hasGold = gold !== undefined && gold[i] !== NO_GOLD;
    if (answersPerItem[i] === 0 && !hasGold) {
      labels[i] = NO_LABEL;
      posteriors.fill(0, i * k, i * k + k);
      continue;
    }
    const c = argmaxRow(table, i);
    labels[i] = c;
    confidence[i] = posteriors[i * k + c];
  }
  return { labels, confidence };
}

export function answersPerItem(m: AnswerMatrix): Int32Array {
  const out = new Int32Array(m.numItems);
  for (let a = 0; a < m.itemIndex.length; a++) out[m.itemIndex[a]]++;
  return out;
}

/** Clamps gold items of a posterior table to one-hot rows. */
export function clampGold(table: RowTable, gold: GoldLabels | undefined): void {
  if (gold === undefined) return;
  const { values: posteriors, k } = table;
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] === NO_GOLD) continue;
    posteriors.fill(0, i * k, i * k + k);
    posteriors[i * k + gold[i]] = 1;
  }
}

/** In-place numerically stable softmax of row `row`; returns the log-sum-exp of the inputs (the
 * per-item log-likelihood term Dawid-Skene needs). */
export function softmaxRow(table: RowTable, row: number): number {
  const { values, k } = table;
  const base = row * k;
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (values[base + c] > max) max = values[base + c];
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const e = Math.exp(values[base + c] - max);
    values[base + c] = e;
    sum += e;
  }
  for (let c = 0; c < k; c++) values[base + c] /= sum;
  return max + Math.log(sum);
}

/** Builds a matrix from [item, worker, label] index triples; sizes default to max index + 1.
 * Convenient for small inputs and tests; large inputs should fill the typed arrays directly. */
export function matrixFromTriples(params: {
  answers: readonly (readonly [number, number, number])[];
  numClasses: number;
  numItems?: number;
  numWorkers?: number;
}): AnswerMatrix {
  const { answers, numClasses } = params;
  const itemIndex = Int32Array.from(answers, (a) => a[0]);
  const workerIndex = Int32Array.from(answers, (a) => a[1]);
  const labelIndex = Int32Array.from(answers, (a) => a[2]);
  const numItems = params.numItems ?? itemIndex.reduce((m, x) => Math.max(m, x + 1), 0);
  const numWorkers = params.numWorkers ?? workerIndex.reduce((m, x) => Math.max(m, x + 1), 0);
  return { numItems, numWorkers, numClasses, itemIndex, workerIndex, labelIndex };
}
