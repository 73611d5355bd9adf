import { answersPerItem, assertValidMatrix, countVotes } from './answer-matrix';
import type { AnswerMatrix } from './types';

// Chance-corrected inter-annotator agreement over categorical answers. Only items with at least
// two answers carry agreement information; the others are ignored. Both return null when the
// statistic is undefined (no such item, or a single category used throughout, where expected
// disagreement is zero and the ratio is 0/0) rather than NaN, so callers can store NULL.

/** Fleiss' kappa. With varying numbers of answers per item it uses the common generalisation:
 * P_i = sum_j n_ij (n_ij - 1) / (n_i (n_i - 1)) averaged over items, and category shares p_j over
 * all answers of those items. Equals textbook Fleiss' kappa when every item has n answers. */
export function fleissKappa(matrix: AnswerMatrix): number | null {
  assertValidMatrix(matrix);
  return fleissKappaFromCounts({ counts: countVotes(matrix), k: matrix.numClasses });
}

/** Same, from a row-major items x categories count table. */
export function fleissKappaFromCounts(table: { counts: ArrayLike<number>; k: number }): number | null {
  const { counts, k } = table;
  const totals = new Float64Array(k);
  let items = 0, sumP = 0, answers = 0;
  for (let base = 0; base < counts.length; base += k) {
    let n = 0, sq = 0;
    for (let c = 0; c < k; c++) { n += counts[base + c]; sq += counts[base + c] * counts[base + c]; }
    if (n < 2) continue;
    items++;
    sumP += (sq - n) / (n * (n - 1));
    for (let c = 0; c < k; c++) totals[c] += counts[base + c];
    answers += n;
  }
  if (items === 0) return null;
  let pe = 0;
  for (let c = 0; c < k; c++) pe += (totals[c] / answers) ** 2;
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
  const { counts, k } = table;
  // For nominal data only the diagonal of the coincidence matrix and the marginals are needed:
  // o_cc = sum_u n_uc (n_uc - 1) / (m_u - 1), n_c = sum_u n_uc over pairable units.
  const marginal = new Float64Array(k);
  let observedAgree = 0, n = 0;
  for (let base = 0; base < counts.length; base += k) {
    let m = 0;
    for (let c = 0; c < k; c++) m += counts[base + c];
    if (m < 2) continue;
    for (let c = 0; c < k; c++) {
      const x = counts[base + c];
      observedAgree += (x * (x - 1)) / (m - 1);
      marginal[c] += x;
    }
    n += m;
  }
  if (n < 2) return null;
  let sumSq = 0;
  for (let c = 0; c < k; c++) sumSq += marginal[c] * marginal[c];
  const expectedDisagree = n * n - sumSq; // sum over c != k of n_c n_k
  if (expectedDisagree === 0) return null;
  const observedDisagree = n - observedAgree; // sum over c != k of o_ck
  return 1 - ((n - 1) * observedDisagree) / expectedDisagree;
}

/** Mean of per-item confidence over labelled items (the `meanConfidence` of the API); null when
 * no item has answers. */
export function meanConfidence(params: { matrix: AnswerMatrix; confidence: Float64Array }): number | null {
  const n = answersPerItem(params.matrix);
  let sum = 0, count = 0;
  for (let i = 0; i < n.length; i++) {
    if (n[i] === 0) continue;
    sum += params.confidence[i];
    count++;
  }
  return count === 0 ? null : sum / count;
}
