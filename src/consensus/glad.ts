import { answersPerItem, assertValidMatrix, finishLabels, groupByItem, softmaxRow } from './answer-matrix';
import { startingPosteriors, stopRule, type EmMethodInput } from './confusion-em';
import { NO_GOLD, type AggregationResult } from './types';

// GLAD, Generative model of Labels, Abilities and Difficulties: Whitehill, Ruvolo, Wu, Bergsma &
// Movellan, NIPS 2009, "Whose Vote Should Count More". Worker w has ability alpha_w (negative =
// adversarial), item i has inverse difficulty beta_i = exp(b_i) > 0, and
//   P(answer is right) = sigmoid(alpha_w beta_i), wrong answers uniform over the other K - 1,
// so an easy item (large beta) is answered right even by mediocre workers and a hard one only by
// good workers. Priors as in the authors' code: alpha ~ N(1, 1), b ~ N(1, 1), started at those
// means. EM: the E-step is exact; the M-step maximises the expected complete log-likelihood plus
// the log priors. With q = P(item's truth = the answer given) and s = sigmoid(alpha beta):
//   dQ/dalpha_w = sum over w's answers of (q - s) beta_i - (alpha_w - 1)
//   dQ/db_i     = sum over i's answers of (q - s) alpha_w beta_i - (b_i - 1)
// We take FISHER_SWEEPS alternating Fisher-scoring steps (curvature sum s (1 - s) x^2 + 1, always
// positive, so every step is an ascent direction; capped at MAX_STEP) instead of the paper's
// conjugate gradient: deterministic, O(answers) per sweep. The class prior is re-estimated from
// the posteriors like Dawid-Skene's. Same start and stop rule as the other EM methods.

const PRIOR_MEAN = 1;
const FISHER_SWEEPS = 3;
const MAX_STEP = 1;

export type GladInput = EmMethodInput;

export interface GladResult extends AggregationResult {
  readonly method: 'glad';
  /** Worker ability alpha_w. */
  readonly ability: Float64Array;
  /** Item inverse difficulty beta_i = exp(b_i). */
  readonly easiness: Float64Array;
}

export function glad(input: GladInput): GladResult {
  const { matrix: m, gold } = input;
  assertValidMatrix(m, gold);
  const { tol, maxIterations } = stopRule(input);
  const k = m.numClasses;
  const n = answersPerItem(m);
  const { start, worker, label } = groupByItem(m);
  const T = startingPosteriors({ matrix: m, gold, answersPerItem: n });

  const alpha = new Float64Array(m.numWorkers).fill(PRIOR_MEAN);
  const b = new Float64Array(m.numItems).fill(PRIOR_MEAN);
  const logPrior = new Float64Array(k);
  const wrongShare = k > 1 ? Math.log(k - 1) : 0;
  const gradient = new Float64Array(m.numWorkers);
  const curvature = new Float64Array(m.numWorkers);
  const previous = new Float64Array(k);
  const rows = { values: T, k };
  const isGold = (i: number) => gold !== undefined && gold[i] !== NO_GOLD;

  const mStep = (): void => {
    const mass = new Float64Array(k);
    let total = 0;
    for (let i = 0; i < m.numItems; i++) {
      if (n[i] === 0 && !isGold(i)) continue;
      for (let c = 0; c < k; c++) mass[c] += T[i * k + c];
    }
    for (let c = 0; c < k; c++) total += mass[c];
    for (let c = 0; c < k; c++) logPrior[c] = Math.log(Math.max(mass[c] / total, 1e-10));
    if (k === 1) return;
    for (let sweep = 0; sweep < FISHER_SWEEPS; sweep++) {
      // Abilities, all items' easiness held fixed.
      for (let w = 0; w < m.numWorkers; w++) {
        gradient[w] = PRIOR_MEAN - alpha[w];
        curvature[w] = 1;
      }
      for (let i = 0; i < m.numItems; i++) {
        const beta = Math.exp(b[i]);
        for (let p = start[i]; p < start[i + 1]; p++) {
          const w = worker[p];
          const s = sigmoid(alpha[w] * beta);
          gradient[w] += (T[i * k + label[p]] - s) * beta;
          curvature[w] += s * (1 - s) * beta * beta;
        }
      }
      for (let w = 0; w < m.numWorkers; w++) alpha[w] += clampStep(gradient[w] / curvature[w]);
      // Easiness, abilities held fixed: one item at a time, its answers are contiguous.
      for (let i = 0; i < m.numItems; i++) {
        const beta = Math.exp(b[i]);
        let g = PRIOR_MEAN - b[i],
          h = 1;
        for (let p = start[i]; p < start[i + 1]; p++) {
          const x = alpha[worker[p]] * beta;
          const s = sigmoid(x);
          g += (T[i * k + label[p]] - s) * x;
          h += s * (1 - s) * x * x;
        }
        b[i] += clampStep(g / h);
      }
    }
  };

  const eStep = (): number => {
    let maxChange = 0;
    for (let i = 0; i < m.numItems; i++) {
      if (n[i] === 0 || isGold(i)) continue;
      const tb = i * k;
      for (let c = 0; c < k; c++) previous[c] = T[tb + c];
      if (k === 1) {
        T[tb] = 1;
        continue;
      }
      const beta = Math.exp(b[i]);
      let wrongSum = 0;
      for (let c = 0; c < k; c++) T[tb + c] = logPrior[c];
      for (let p = start[i]; p < start[i + 1]; p++) {
        const x = alpha[worker[p]] * beta;
        const right = logSigmoid(x),
          wrong = logSigmoid(-x) - wrongShare;
        wrongSum += wrong;
        T[tb + label[p]] += right - wrong;
      }
      for (let c = 0; c < k; c++) T[tb + c] += wrongSum;
      softmaxRow(rows, i);
      for (let c = 0; c < k; c++) maxChange = Math.max(maxChange, Math.abs(T[tb + c] - previous[c]));
    }
    return maxChange;
  };

  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    mStep();
    const change = eStep();
    iterations++;
    if (change < tol) {
      converged = true;
      break;
    }
  }
  const { labels, confidence } = finishLabels({ posteriors: T, answersPerItem: n, gold, k });
  const easiness = b.map(Math.exp);
  return {
    method: 'glad',
    labels,
    confidence,
    posteriors: T,
    workerAccuracy: meanAccuracy(),
    iterations,
    converged,
    ability: alpha,
    easiness,
  };

  /** A worker's P(right) averaged over the items they answered (prior-mean easiness if none). */
  function meanAccuracy(): Float64Array {
    const sum = new Float64Array(m.numWorkers),
      count = new Float64Array(m.numWorkers);
    for (let i = 0; i < m.numItems; i++) {
      for (let p = start[i]; p < start[i + 1]; p++) {
        sum[worker[p]] += sigmoid(alpha[worker[p]] * easiness[i]);
        count[worker[p]]++;
      }
    }
    return alpha.map((a, w) => (k === 1 ? 1 : count[w] > 0 ? sum[w] / count[w] : sigmoid(a * Math.exp(PRIOR_MEAN))));
  }
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** log sigmoid(x) without overflow for large |x|. */
function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

function clampStep(step: number): number {
  return step > MAX_STEP ? MAX_STEP : step < -MAX_STEP ? -MAX_STEP : step;
}
