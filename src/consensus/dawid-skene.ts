import { answersPerItem, assertValidMatrix, clampGold, countVotes, finishLabels, groupByItem, softmaxRow } from './answer-matrix';
import { NO_GOLD, type AggregationResult, type AnswerMatrix, type GoldLabels } from './types';

// Dawid & Skene (1979) EM: every worker has a full K x K confusion matrix
// pi[w][true][answered], items have a class prior, and the true labels are latent.
//
// Choices (principled defaults, not tuned per dataset):
// - Initialised from soft majority vote (vote shares), the usual start that avoids the
//   label-switching optimum a random start can fall into.
// - Dirichlet smoothing: `smoothing` pseudo-answers are added to every confusion cell and class
//   count before normalising (MAP under a symmetric Dirichlet(1 + smoothing) prior). A worker row
//   without evidence becomes uniform instead of 0/0, and no probability is ever exactly 0, so
//   one unusual answer cannot veto a class with log(0) = -Infinity.
// - Gold clamping: gold items keep a one-hot posterior through every E-step and still feed the
//   M-step, so they anchor the confusion matrices of the workers who answered them.
// - Stops when the relative change of the data log-likelihood is below `tol`, or at
//   `maxIterations` (then `converged` is false). tol = 0 forces exactly maxIterations.
// - Deterministic: no randomness; answers are visited in a fixed (stable) order.

export const DS_DEFAULTS = { smoothing: 0.01, tol: 1e-8, maxIterations: 100 } as const;

export interface DawidSkeneInput {
  matrix: AnswerMatrix;
  gold?: GoldLabels;
  smoothing?: number;
  tol?: number;
  maxIterations?: number;
}

export interface DawidSkeneResult extends AggregationResult {
  readonly method: 'ds';
  /** Estimated class prior, length K. */
  readonly classPriors: Float64Array;
  /** Confusion matrices, index [(w * K + trueClass) * K + answeredClass]; rows sum to 1. */
  readonly confusion: Float64Array;
  /** Data log-likelihood after the last E-step. */
  readonly logLikelihood: number;
}

export function dawidSkene(input: DawidSkeneInput): DawidSkeneResult {
  const { matrix: m, gold } = input;
  assertValidMatrix(m, gold);
  const smoothing = input.smoothing ?? DS_DEFAULTS.smoothing;
  const tol = input.tol ?? DS_DEFAULTS.tol;
  const maxIterations = input.maxIterations ?? DS_DEFAULTS.maxIterations;
  if (!(smoothing > 0)) throw new RangeError('smoothing must be positive (it is what prevents log(0))');
  if (!(tol >= 0)) throw new RangeError('tol must be >= 0');
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new RangeError('maxIterations must be an integer >= 1');

  const k = m.numClasses;
  const n = answersPerItem(m);
  const posteriors = softMajorityVote(m, n);
  const table = { values: posteriors, k };
  clampGold(table, gold);
  const state = buildState({ m, gold, smoothing, table });

  let iterations = 0;
  let converged = false;
  let logLikelihood = -Infinity;
  countAll(state);
  normalise(state);
  while (iterations < maxIterations) {
    const ll = expectAndCount(state); // E-step (+ the counts the next M-step needs)
    normalise(state); // M-step
    iterations++;
    const change = Math.abs(ll - logLikelihood);
    logLikelihood = ll;
    if (change < tol * Math.max(1, Math.abs(ll))) {
      converged = true;
      break;
    }
  }

  const { labels, confidence } = finishLabels({ posteriors, answersPerItem: n, gold, k });
  const classPriors = state.logPrior.map(Math.exp);
  const confusion = new Float64Array(m.numWorkers * k * k);
  const workerAccuracy = new Float64Array(m.numWorkers);
  for (let w = 0; w < m.numWorkers; w++) {
    for (let t = 0; t < k; t++) {
      for (let l = 0; l < k; l++) confusion[(w * k + t) * k + l] = Math.exp(state.logPi[(w * k + l) * k + t]);
      // P(worker correct on a random item) = sum over classes of prior x diagonal.
      workerAccuracy[w] += classPriors[t] * confusion[(w * k + t) * k + t];
    }
  }
  return { method: 'ds', labels, confidence, posteriors, workerAccuracy, iterations, converged, classPriors, confusion, logLikelihood };
}

interface EmState {
  readonly numItems: number;
  readonly numWorkers: number;
  readonly k: number;
  readonly smoothing: number;
  /** Answers of item i are positions start[i] .. start[i+1]-1 of `offset`. */
  readonly start: Int32Array;
  /** Per grouped answer, (worker * K + answeredClass) * K: the row of logPi / counts it touches.
   * Precomputed once so the hot loops do one load instead of two loads and two multiplies. */
  readonly offset: Int32Array;
  /** Gold class per item or NO_GOLD; null when there is no gold at all. */
  readonly gold: GoldLabels | null;
  readonly table: { readonly values: Float64Array; readonly k: number };
  readonly logPi: Float64Array;
  readonly logPrior: Float64Array;
  /** Smoothed expected counts for the next M-step, same layout as logPi. */
  readonly counts: Float64Array;
  readonly classMass: Float64Array;
}

function buildState(params: { m: AnswerMatrix; gold?: GoldLabels; smoothing: number; table: EmState['table'] }): EmState {
  const { m, smoothing, table } = params;
  const k = m.numClasses;
  if (m.numWorkers * k * k > 0x7fffffff) throw new RangeError('numWorkers x numClasses^2 exceeds 2^31 cells');
  const groups = groupByItem(m);
  const offset = groups.worker; // reuse: overwrite worker index with the row offset
  for (let p = 0; p < offset.length; p++) offset[p] = (groups.worker[p] * k + groups.label[p]) * k;
  return {
    numItems: m.numItems, numWorkers: m.numWorkers, k, smoothing, start: groups.start, offset,
    gold: params.gold ?? null, table,
    // Working layout [w][answered][true]: the innermost loop over true classes is contiguous.
    logPi: new Float64Array(m.numWorkers * k * k),
    logPrior: new Float64Array(k),
    counts: new Float64Array(m.numWorkers * k * k),
    classMass: new Float64Array(k),
  };
}

/** Vote shares per item; items without answers get a uniform row (they are skipped anyway). */
function softMajorityVote(m: AnswerMatrix, n: Int32Array): Float64Array {
  const k = m.numClasses;
  const t = countVotes(m);
  for (let i = 0; i < m.numItems; i++) {
    for (let c = 0; c < k; c++) t[i * k + c] = n[i] > 0 ? t[i * k + c] / n[i] : 1 / k;
  }
  return t;
}

/** Adds the smoothed expected counts of item i (posterior row T_i) to counts / classMass. */
function accumulate(s: EmState, i: number): void {
  const { k, start, offset, counts, classMass } = s;
  const T = s.table.values;
  const tb = i * k;
  for (let c = 0; c < k; c++) classMass[c] += T[tb + c];
  for (let p = start[i]; p < start[i + 1]; p++) {
    const base = offset[p];
    for (let c = 0; c < k; c++) counts[base + c] += T[tb + c];
  }
}

/** Initial M-step input: counts from the starting posteriors (soft majority vote + gold). */
function countAll(s: EmState): void {
  s.counts.fill(s.smoothing);
  s.classMass.fill(s.smoothing);
  for (let i = 0; i < s.numItems; i++) {
    if (s.start[i] === s.start[i + 1] && (s.gold === null || s.gold[i] === NO_GOLD)) continue;
    accumulate(s, i);
  }
}

/** M-step: normalise the smoothed counts into log confusion matrices and the log class prior. */
function normalise(s: EmState): void {
  const { numWorkers, k, counts, classMass, logPi, logPrior } = s;
  let total = 0;
  for (let c = 0; c < k; c++) total += classMass[c];
  for (let c = 0; c < k; c++) logPrior[c] = Math.log(classMass[c] / total);
  const rowSum = new Float64Array(k);
  for (let wb = 0; wb < numWorkers * k * k; wb += k * k) {
    rowSum.fill(0);
    for (let l = 0; l < k; l++) for (let t = 0; t < k; t++) rowSum[t] += counts[wb + l * k + t];
    for (let l = 0; l < k; l++) for (let t = 0; t < k; t++) logPi[wb + l * k + t] = Math.log(counts[wb + l * k + t] / rowSum[t]);
  }
}

/** One EM pass: the E-step for every item using the current parameters, fused with the count
 * accumulation of the next M-step while the item's answers are hot in cache (one sweep over the
 * answers per iteration instead of two). Returns the data log-likelihood of the E-step. */
function expectAndCount(s: EmState): number {
  const { numItems, k, start, offset, gold, logPi, logPrior, table } = s;
  const T = table.values;
  s.counts.fill(s.smoothing);
  s.classMass.fill(s.smoothing);
  let ll = 0;
  for (let i = 0; i < numItems; i++) {
    const from = start[i], to = start[i + 1];
    if (gold !== null && gold[i] !== NO_GOLD) {
      // Clamped: the posterior stays one-hot; only its likelihood term and counts are added.
      const g = gold[i];
      let lg = logPrior[g];
      for (let p = from; p < to; p++) lg += logPi[offset[p] + g];
      ll += lg;
      accumulate(s, i);
      continue;
    }
    if (from === to) continue;
    const tb = i * k;
    for (let c = 0; c < k; c++) T[tb + c] = logPrior[c];
    for (let p = from; p < to; p++) {
      const base = offset[p];
      for (let c = 0; c < k; c++) T[tb + c] += logPi[base + c];
    }
    ll += softmaxRow(table, i);
    accumulate(s, i);
  }
  return ll;
}
