import { answersPerItem, assertValidMatrix, clampGold, countVotes, groupByItem, softmaxRow } from './answer-matrix';
import { NO_GOLD, type AnswerMatrix, type GoldLabels } from './types';

// The EM loop shared by every method whose worker model is a table "probability that worker w
// answers a when the truth is t" (Dawid-Skene, one-coin, LFC, IBCC, MACE): only the M-step, which
// turns expected counts into that table, differs between them.
//
// - Start: soft majority vote (each item's vote shares), gold items one-hot. The usual start; a
//   random one can fall into the label-switched optimum.
// - Iteration = M-step (counts -> table, class prior) then E-step (table -> posteriors). The
//   E-step is fused with the count accumulation the next M-step needs, so each iteration sweeps
//   the answers once.
// - Gold clamping: gold items keep a one-hot posterior through every E-step and still feed the
//   counts, so they anchor the tables of the workers who answered them.
// - Stop: when no posterior moved by more than `tol` in an iteration (the usual reference rule),
//   or at `maxIterations` (then `converged` is false). tol = 0 forces exactly maxIterations.
// - Deterministic: no randomness; answers are visited in a fixed (stable, per-item) order.

export const EM_DEFAULTS = { tol: 1e-8, maxIterations: 50 } as const;

/** Expected counts after an E-step, handed to a model's M-step. */
export interface EmCounts {
  readonly numWorkers: number;
  readonly k: number;
  /** counts[(w * K + answered) * K + true] = sum over w's answers `answered` of P(item is `true`). */
  readonly counts: Float64Array;
  /** classMass[t] = sum over items (with answers or gold) of P(item is t). */
  readonly classMass: Float64Array;
}

/** What the E-step reads: log P(answered | true) per worker in the same layout as the counts
 * ([w][answered][true], so the inner loop over true classes is contiguous) and log P(true).
 * Variational methods put expected logs here instead. */
export interface EmTables {
  readonly table: Float64Array;
  readonly logPrior: Float64Array;
}

/** One method's M-step: fill `tables` from `counts`. */
export type MStep = (counts: EmCounts, tables: EmTables) => void;

export interface ConfusionEmInput {
  matrix: AnswerMatrix;
  gold?: GoldLabels;
  mStep: MStep;
  tol?: number;
  maxIterations?: number;
}

export interface ConfusionEmRun {
  /** Row-major numItems x K posteriors (rows of items without answers or gold are uniform). */
  readonly posteriors: Float64Array;
  readonly answersPerItem: Int32Array;
  readonly tables: EmTables;
  readonly counts: EmCounts;
  readonly iterations: number;
  readonly converged: boolean;
  /** Sum over items of log sum_t exp(row), the data log-likelihood for exact-EM methods. */
  readonly logLikelihood: number;
}

export function runConfusionEm(input: ConfusionEmInput): ConfusionEmRun {
  const { matrix: m, gold } = input;
  assertValidMatrix(m, gold);
  const tol = input.tol ?? EM_DEFAULTS.tol;
  const maxIterations = input.maxIterations ?? EM_DEFAULTS.maxIterations;
  if (!(tol >= 0)) throw new RangeError('tol must be >= 0');
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new RangeError('maxIterations must be an integer >= 1');
  const k = m.numClasses;
  if (m.numWorkers * k * k > 0x7fffffff) throw new RangeError('numWorkers x numClasses^2 exceeds 2^31 cells');

  const n = answersPerItem(m);
  const posteriors = softMajorityVote(m, n);
  clampGold({ values: posteriors, k }, gold);
  const state = buildState({ m, gold, posteriors });
  countAll(state);

  let iterations = 0;
  let converged = false;
  let logLikelihood = -Infinity;
  while (iterations < maxIterations) {
    input.mStep(state.emCounts, state.tables);
    const step = expectAndCount(state);
    iterations++;
    logLikelihood = step.logLikelihood;
    if (step.maxChange < tol) {
      converged = true;
      break;
    }
  }
  return { posteriors, answersPerItem: n, tables: state.tables, counts: state.emCounts, iterations, converged, logLikelihood };
}

interface EmState {
  readonly numItems: number;
  readonly k: number;
  /** Answers of item i are positions start[i] .. start[i+1]-1 of `offset`. */
  readonly start: Int32Array;
  /** Per grouped answer, (worker * K + answeredClass) * K: the row of the table / counts it
   * touches. Precomputed once so the hot loops do one load instead of two loads and a multiply. */
  readonly offset: Int32Array;
  /** Gold class per item or NO_GOLD; null when there is no gold at all. */
  readonly gold: GoldLabels | null;
  readonly posteriors: Float64Array;
  readonly emCounts: EmCounts;
  readonly tables: EmTables;
  /** The previous posterior row while an item is recomputed (max-change stop rule). */
  readonly previous: Float64Array;
}

function buildState(params: { m: AnswerMatrix; gold?: GoldLabels; posteriors: Float64Array }): EmState {
  const { m, posteriors } = params;
  const k = m.numClasses;
  const groups = groupByItem(m);
  const offset = groups.worker; // reuse: overwrite the worker index with the row offset
  for (let p = 0; p < offset.length; p++) offset[p] = (groups.worker[p] * k + groups.label[p]) * k;
  const cells = m.numWorkers * k * k;
  return {
    numItems: m.numItems, k, start: groups.start, offset,
    gold: params.gold ?? null, posteriors,
    emCounts: { numWorkers: m.numWorkers, k, counts: new Float64Array(cells), classMass: new Float64Array(k) },
    tables: { table: new Float64Array(cells), logPrior: new Float64Array(k) },
    previous: new Float64Array(k),
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

/** Adds the expected counts of item i (its posterior row) to counts / classMass. */
function accumulate(s: EmState, i: number): void {
  const { k, start, offset, posteriors: T } = s;
  const { counts, classMass } = s.emCounts;
  const tb = i * k;
  for (let c = 0; c < k; c++) classMass[c] += T[tb + c];
  const to = start[i + 1];
  if (k === 2) {
    // The common binary case, unrolled: about a third faster than the generic loop.
    const t0 = T[tb], t1 = T[tb + 1];
    for (let p = start[i]; p < to; p++) {
      const base = offset[p];
      counts[base] += t0;
      counts[base + 1] += t1;
    }
    return;
  }
  for (let p = start[i]; p < to; p++) {
    const base = offset[p];
    for (let c = 0; c < k; c++) counts[base + c] += T[tb + c];
  }
}

/** Counts from the starting posteriors (soft majority vote + gold). */
function countAll(s: EmState): void {
  s.emCounts.counts.fill(0);
  s.emCounts.classMass.fill(0);
  for (let i = 0; i < s.numItems; i++) {
    if (s.start[i] === s.start[i + 1] && (s.gold === null || s.gold[i] === NO_GOLD)) continue;
    accumulate(s, i);
  }
}

/** One E-step over every item using the current tables, fused with the count accumulation of the
 * next M-step while the item's answers are hot in cache. Returns the log-likelihood and the
 * largest change of any posterior probability. */
function expectAndCount(s: EmState): { logLikelihood: number; maxChange: number } {
  const { numItems, k, start, offset, gold, previous } = s;
  const { table, logPrior } = s.tables;
  const T = s.posteriors;
  const rows = { values: T, k };
  s.emCounts.counts.fill(0);
  s.emCounts.classMass.fill(0);
  let ll = 0;
  let maxChange = 0;
  for (let i = 0; i < numItems; i++) {
    const from = start[i], to = start[i + 1];
    if (gold !== null && gold[i] !== NO_GOLD) {
      // Clamped: the posterior stays one-hot; only its likelihood term and counts are added.
      const g = gold[i];
      let lg = logPrior[g];
      for (let p = from; p < to; p++) lg += table[offset[p] + g];
      ll += lg;
      accumulate(s, i);
      continue;
    }
    if (from === to) continue;
    const tb = i * k;
    for (let c = 0; c < k; c++) { previous[c] = T[tb + c]; T[tb + c] = logPrior[c]; }
    if (k === 2) {
      let a0 = T[tb], a1 = T[tb + 1];
      for (let p = from; p < to; p++) {
        const base = offset[p];
        a0 += table[base];
        a1 += table[base + 1];
      }
      T[tb] = a0;
      T[tb + 1] = a1;
    } else {
      for (let p = from; p < to; p++) {
        const base = offset[p];
        for (let c = 0; c < k; c++) T[tb + c] += table[base + c];
      }
    }
    ll += softmaxRow(rows, i);
    for (let c = 0; c < k; c++) {
      const d = Math.abs(T[tb + c] - previous[c]);
      if (d > maxChange) maxChange = d;
    }
    accumulate(s, i);
  }
  return { logLikelihood: ll, maxChange };
}

/** Smallest probability a maximum-likelihood M-step may produce: a floor against log(0) only,
 * far below anything the data can estimate, so it never changes a decision it can avoid. */
export const PROBABILITY_FLOOR = 1e-10;

export function flooredLog(p: number): number {
  return Math.log(p > PROBABILITY_FLOOR ? p : PROBABILITY_FLOOR);
}

/** Maximum-likelihood log class prior from the class mass (shared by the EM methods). */
export function mlLogPrior(counts: EmCounts, logPrior: Float64Array): void {
  const { classMass, k } = counts;
  let total = 0;
  for (let c = 0; c < k; c++) total += classMass[c];
  for (let c = 0; c < k; c++) logPrior[c] = total > 0 ? flooredLog(classMass[c] / total) : -Math.log(k);
}
