import { answersPerItem, assertValidMatrix, countVotes } from './answer-matrix';
import type { AnswerMatrix } from './types';

// Chance-corrected inter-annotator agreement over categorical answers. Only items with at least
// two answers carry agreement information; the others are ignored. Both return null when the
// statistic is undefined (no such item, or a single category used throughout, where expected
// disagreement is zero and the ratio is 0/0) rather than NaN, so callers can store NULL.

/** A sparse items x categories count table: item i's non-zero cells are start[i] .. start[i+1]-1
 * of `category` / `count`. What free text (one category per distinct text) and ratings (one per
 * distinct value) need, where a dense table would be items x (distinct values). */
export interface SparseCounts {
  readonly start: Int32Array;
  readonly category: Int32Array;
  readonly count: Float64Array;
  readonly numCategories: number;
}

/** Tallies (item, category) pairs into a sparse count table: O(pairs + items + categories). */
export function sparseCounts(params: {
  numItems: number;
  numCategories: number;
  itemIndex: Int32Array;
  categoryIndex: Int32Array;
}): SparseCounts {
  const { numItems, numCategories, itemIndex, categoryIndex } = params;
  const byItem = new Int32Array(numItems + 1);
  for (let a = 0; a < itemIndex.length; a++) byItem[itemIndex[a] + 1]++;
  for (let i = 0; i < numItems; i++) byItem[i + 1] += byItem[i];
  const cursor = byItem.slice(0, numItems);
  const grouped = new Int32Array(itemIndex.length);
  for (let a = 0; a < itemIndex.length; a++) grouped[cursor[itemIndex[a]]++] = categoryIndex[a];
  // One pass per item; `cellOf[c]` remembers where category c went for the current item.
  const cellOf = new Int32Array(numCategories).fill(-1);
  const start = new Int32Array(numItems + 1);
  const category: number[] = [];
  const count: number[] = [];
  for (let i = 0; i < numItems; i++) {
    start[i] = category.length;
    for (let p = byItem[i]; p < byItem[i + 1]; p++) {
      const c = grouped[p];
      if (cellOf[c] >= start[i]) count[cellOf[c]]++;
      else {
        cellOf[c] = category.length;
        category.push(c);
        count.push(1);
      }
    }
  }
  start[numItems] = category.length;
  return { start, category: Int32Array.from(category), count: Float64Array.from(count), numCategories };
}

function denseToSparse(table: { counts: ArrayLike<number>; k: number }): SparseCounts {
  const { counts, k } = table;
  const numItems = Math.floor(counts.length / k);
  const start = new Int32Array(numItems + 1);
  const category: number[] = [],
    count: number[] = [];
  for (let i = 0; i < numItems; i++) {
    start[i] = category.length;
    for (let c = 0; c < k; c++)
      if (counts[i * k + c] > 0) {
        category.push(c);
        count.push(counts[i * k + c]);
      }
  }
  start[numItems] = category.length;
  return { start, category: Int32Array.from(category), count: Float64Array.from(count), numCategories: k };
}

/** Fleiss' kappa. With varying numbers of answers per item it uses the common generalisation:
 * P_i = sum_j n_ij (n_ij - 1) / (n_i (n_i - 1)) averaged over items, and category shares p_j over
 * all answers of those items. Equals textbook Fleiss' kappa when every item has n answers. */
export function fleissKappa(matrix: AnswerMatrix): number | null {
  assertValidMatrix(matrix);
  return fleissKappaFromCounts({ counts: countVotes(matrix), k: matrix.numClasses });
}

/** Same, from a row-major items x categories count table. */
export function fleissKappaFromCounts(table: { counts: ArrayLike<number>; k: number }): number | null {
  return fleissKappaSparse(denseToSparse(table));
}

export function fleissKappaSparse(table: SparseCounts): number | null {
  const { start, category, count } = table;
  const totals = new Float64Array(table.numCategories);
  let items = 0,
    sumP = 0,
    answers = 0;
  for (let i = 0; i + 1 < start.length; i++) {
    let n = 0,
      sq = 0;
    for (let p = start[i]; p < start[i + 1]; p++) {
      n += count[p];
      sq += count[p] * count[p];
    }
    if (n < 2) continue;
    items++;
    sumP += (sq - n) / (n * (n - 1));
    for (let p = start[i]; p < start[i + 1]; p++) totals[category[p]] += count[p];
    answers += n;
  }
  if (items === 0) return null;
  let pe = 0;
  for (let c = 0; c < totals.length; c++) pe += (totals[c] / answers) ** 2;
  if (pe >= 1) return null;
  return (sumP / items - pe) / (1 - pe);
}

/** Krippendorff's alpha, nominal metric: alpha = 1 - D_o / D_e from the coincidence matrix.
 * Handles any number of answers per item (items with fewer than two are not pairable). */
export function krippendorffAlpha(matrix: AnswerMatrix): number | null {
  assertValidMatrix(matrix);
  return krippendorffAlphaFromCounts({ counts: countVotes(matrix), k: matrix.numClasses });
}

export function krippendorffAlphaFromCounts(table: { counts: ArrayLike<number>; k: number }): number | null {
  return krippendorffAlphaSparse(denseToSparse(table));
}

export function krippendorffAlphaSparse(table: SparseCounts): number | null {
  const { start, category, count } = table;
  // For nominal data only the diagonal of the coincidence matrix and the marginals are needed:
  // o_cc = sum_u n_uc (n_uc - 1) / (m_u - 1), n_c = sum_u n_uc over pairable units.
  const marginal = new Float64Array(table.numCategories);
  let observedAgree = 0,
    n = 0;
  for (let i = 0; i + 1 < start.length; i++) {
    let m = 0;
    for (let p = start[i]; p < start[i + 1]; p++) m += count[p];
    if (m < 2) continue;
    for (let p = start[i]; p < start[i + 1]; p++) {
      const x = count[p];
      observedAgree += (x * (x - 1)) / (m - 1);
      marginal[category[p]] += x;
    }
    n += m;
  }
  if (n < 2) return null;
  let sumSq = 0;
  for (let c = 0; c < marginal.length; c++) sumSq += marginal[c] * marginal[c];
  const expectedDisagree = n * n - sumSq; // sum over c != k of n_c n_k
  if (expectedDisagree === 0) return null;
  const observedDisagree = n - observedAgree; // sum over c != k of o_ck
  return 1 - ((n - 1) * observedDisagree) / expectedDisagree;
}

/** Krippendorff's alpha with the interval metric (squared difference), for ratings:
 * D_o = 1/n sum_u 1/(m_u - 1) sum over ordered pairs in u of (a - b)^2, D_e = 1/(n (n - 1)) sum
 * over all ordered pairs of pairable values of (a - b)^2, each pair sum computed in O(m) as
 * 2 m sum(v^2) - 2 (sum v)^2. null when undefined (no pairable unit, or all values equal). */
export function krippendorffAlphaInterval(params: {
  numItems: number;
  itemIndex: Int32Array;
  values: Float64Array;
}): number | null {
  const { numItems, itemIndex, values } = params;
  const m = new Float64Array(numItems),
    sum = new Float64Array(numItems),
    sumSq = new Float64Array(numItems);
  for (let a = 0; a < itemIndex.length; a++) {
    const i = itemIndex[a];
    m[i]++;
    sum[i] += values[a];
    sumSq[i] += values[a] * values[a];
  }
  let n = 0,
    observed = 0,
    allSum = 0,
    allSumSq = 0;
  for (let i = 0; i < numItems; i++) {
    if (m[i] < 2) continue;
    n += m[i];
    allSum += sum[i];
    allSumSq += sumSq[i];
    observed += (2 * m[i] * sumSq[i] - 2 * sum[i] * sum[i]) / (m[i] - 1);
  }
  if (n < 2) return null;
  const expected = (2 * n * allSumSq - 2 * allSum * allSum) / (n - 1);
  if (!(expected > 1e-12 * n * n)) return null;
  return 1 - observed / expected;
}

/** Mean of per-item confidence over labelled items (the `meanConfidence` of the API); null when
 * no item has answers. */
export function meanConfidence(params: { matrix: AnswerMatrix; confidence: Float64Array }): number | null {
  const n = answersPerItem(params.matrix);
  let sum = 0,
    count = 0;
  for (let i = 0; i < n.length; i++) {
    if (n[i] === 0) continue;
    sum += params.confidence[i];
    count++;
  }
  return count === 0 ? null : sum / count;
}
