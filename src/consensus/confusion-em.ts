import { answersPerItem, assertValidMatrix, clampGold, countVotes, groupByItem } from './answer-matrix';
import { NO_GOLD, type AnswerMatrix, type GoldLabels } from './types';

// The EM loop shared by every method whose worker model is a table "probability that worker w
// answers a when the truth is t" (Dawid-Skene, one-coin, LFC, IBCC, MACE): only the M-step, which
// turns expected counts into that table, differs between them.
//
// - Start: soft majority vote (each item's vote shares), gold items one-hot. The usual start; a
//   random one can fall into the label-switched optimum.
// - Iteration = M-step (counts -> table, class prior) then E-step (table -> posteriors). The
//   E-step is fused with the count accumulation the next M-step needs, so each iteration sweeps
//   the answers once; K = 2 has its own kernel with half the memory traffic.
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

/** What every EM method takes: the answers, optional gold to clamp, and the stop rule. */
export interface EmMethodInput {
  matrix: AnswerMatrix;
  gold?: GoldLabels;
  tol?: number;
  maxIterations?: number;
}

export interface ConfusionEmInput extends EmMethodInput {
  mStep: MStep;
}

/** The validated stop rule of an EM method's input (EM_DEFAULTS where absent). */
export function stopRule(input: EmMethodInput): { tol: number; maxIterations: number } {
  const tol = input.tol ?? EM_DEFAULTS.tol;
  const maxIterations = input.maxIterations ?? EM_DEFAULTS.maxIterations;
  if (!(tol >= 0)) throw new RangeError('tol must be >= 0');
  if (!Number.isInteger(maxIterations) || maxIterations < 1)
    throw new RangeError('maxIterations must be an integer >= 1');
  return { tol, maxIterations };
}

export interface ConfusionEmRun {
  /** Row-major numItems x K posteriors (rows of items without answers or gold are uniform). */
  readonly posteriors: Float64Array;
  readonly answersPerItem: Int32Array;
  readonly tables: EmTables;
  readonly counts: EmCounts;
  readonly iterations: number;
  readonly converged: boolean;
  /** Data log-likelihood under the final tables (exact-EM methods; an ELBO-free expected-log
   * score for the variational ones). */
  readonly logLikelihood: number;
}

export function runConfusionEm(input: ConfusionEmInput): ConfusionEmRun {
  const { matrix: m, gold } = input;
  assertValidMatrix(m, gold);
  const { tol, maxIterations } = stopRule(input);
  const k = m.numClasses;
  if (m.numWorkers * k * k > 0x7fffffff) throw new RangeError('numWorkers x numClasses^2 exceeds 2^31 cells');

  const n = answersPerItem(m);
  const posteriors = startingPosteriors({ matrix: m, gold, answersPerItem: n });
  const state = buildState({ m, gold, posteriors });
  const binary = k === 2;
  if (binary) countAllBinary(state);
  else countAll(state);

  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    if (binary) expandBinaryCounts(state);
    input.mStep(state.emCounts, state.tables);
    const maxChange = binary ? expectAndCountBinary(state) : expectAndCount(state);
    iterations++;
    if (maxChange < tol) {
      converged = true;
      break;
    }
  }
  if (binary) expandBinaryCounts(state);
  return {
    posteriors,
    answersPerItem: n,
    tables: state.tables,
    counts: state.emCounts,
    iterations,
    converged,
    logLikelihood: logLikelihood(state),
  };
}

interface EmState {
  readonly numItems: number;
  readonly k: number;
  /** Answers of item i are positions start[i] .. start[i+1]-1 of `cell`. */
  readonly start: Int32Array;
  /** Per grouped answer, worker * K + answeredClass: the row of the table / counts it touches
   * (times K). Precomputed once so the hot loops do one load instead of two. */
  readonly cell: Int32Array;
  /** Gold class per item or NO_GOLD; null when there is no gold at all. */
  readonly gold: GoldLabels | null;
  /** Items that count (answers or gold): the ones the class mass is summed over. */
  readonly counted: Uint8Array;
  readonly posteriors: Float64Array;
  readonly emCounts: EmCounts;
  readonly tables: EmTables;
  /** The previous posterior row while an item is recomputed (max-change stop rule). */
  readonly previous: Float64Array;
  /** K = 2 only: answers per cell, and the expected count of "true class 1" per cell. */
  readonly cellAnswers: Float64Array;
  readonly cellMass1: Float64Array;
  /** K = 2 only: table[cell][1] - table[cell][0], refreshed after every M-step. */
  readonly cellLogRatio: Float64Array;
}

function buildState(params: { m: AnswerMatrix; gold?: GoldLabels; posteriors: Float64Array }): EmState {
  const { m, posteriors, gold } = params;
  const k = m.numClasses;
  const groups = groupByItem(m);
  const cell = groups.worker; // reuse: overwrite the worker index with the cell index
  for (let p = 0; p < cell.length; p++) cell[p] = groups.worker[p] * k + groups.label[p];
  const cells = m.numWorkers * k * k;
  const counted = new Uint8Array(m.numItems);
  for (let i = 0; i < m.numItems; i++)
    counted[i] = groups.start[i + 1] > groups.start[i] || (gold !== undefined && gold[i] !== NO_GOLD) ? 1 : 0;
  const binaryCells = k === 2 ? m.numWorkers * 2 : 0;
  const cellAnswers = new Float64Array(binaryCells);
  if (k === 2) for (let p = 0; p < cell.length; p++) cellAnswers[cell[p]]++;
  return {
    numItems: m.numItems,
    k,
    start: groups.start,
    cell,
    gold: gold ?? null,
    counted,
    posteriors,
    emCounts: { numWorkers: m.numWorkers, k, counts: new Float64Array(cells), classMass: new Float64Array(k) },
    tables: { table: new Float64Array(cells), logPrior: new Float64Array(k) },
    previous: new Float64Array(k),
    cellAnswers,
    cellMass1: new Float64Array(binaryCells),
    cellLogRatio: new Float64Array(binaryCells),
  };
}

/** The usual EM start: each item's vote shares (soft majority vote), gold items one-hot, items
 * without answers uniform (they are skipped anyway). */
export function startingPosteriors(params: {
  matrix: AnswerMatrix;
  gold?: GoldLabels;
  answersPerItem: Int32Array;
}): Float64Array {
  const { matrix: m, answersPerItem: n } = params;
  const k = m.numClasses;
  const t = countVotes(m);
  for (let i = 0; i < m.numItems; i++) {
    for (let c = 0; c < k; c++) t[i * k + c] = n[i] > 0 ? t[i * k + c] / n[i] : 1 / k;
  }
  clampGold({ values: t, k }, params.gold);
  return t;
}

/** Adds the expected counts of item i (its posterior row) to counts / classMass. */
function accumulate(s: EmState, i: number): void {
  const { k, start, cell, posteriors: T } = s;
  const { counts, classMass } = s.emCounts;
  const tb = i * k;
  for (let c = 0; c < k; c++) classMass[c] += T[tb + c];
  const to = start[i + 1];
  for (let p = start[i]; p < to; p++) {
    const base = cell[p] * k;
    for (let c = 0; c < k; c++) counts[base + c] += T[tb + c];
  }
}

/** Counts from the starting posteriors (soft majority vote + gold). */
function countAll(s: EmState): void {
  s.emCounts.counts.fill(0);
  s.emCounts.classMass.fill(0);
  for (let i = 0; i < s.numItems; i++) if (s.counted[i] === 1) accumulate(s, i);
}

/** One E-step over every item using the current tables, fused with the count accumulation of the
 * next M-step while the item's answers are hot in cache. Returns the largest change of any
 * posterior probability. */
function expectAndCount(s: EmState): number {
  const { numItems, k, start, cell, gold, previous } = s;
  const { table, logPrior } = s.tables;
  const T = s.posteriors;
  s.emCounts.counts.fill(0);
  s.emCounts.classMass.fill(0);
  let maxChange = 0;
  for (let i = 0; i < numItems; i++) {
    if (s.counted[i] === 0) continue;
    if (gold === null || gold[i] === NO_GOLD) {
      // Clamped gold items keep their one-hot row; the others are recomputed.
      const tb = i * k;
      for (let c = 0; c < k; c++) {
        previous[c] = T[tb + c];
        T[tb + c] = logPrior[c];
      }
      for (let p = start[i]; p < start[i + 1]; p++) {
        const base = cell[p] * k;
        for (let c = 0; c < k; c++) T[tb + c] += table[base + c];
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (T[tb + c] > max) max = T[tb + c];
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const e = Math.exp(T[tb + c] - max);
        T[tb + c] = e;
        sum += e;
      }
      for (let c = 0; c < k; c++) {
        T[tb + c] /= sum;
        const d = Math.abs(T[tb + c] - previous[c]);
        if (d > maxChange) maxChange = d;
      }
    }
    accumulate(s, i);
  }
  return maxChange;
}

// K = 2, the common case, in half the work: a posterior row is one number P(class 1) = p1, the
// E-step sums one log ratio per answer (log P(a | 1) - log P(a | 0)) instead of two logs, and the
// counts keep only the class-1 mass per cell (the class-0 mass is the cell's answers minus it).

function countAllBinary(s: EmState): void {
  const { numItems, start, cell, counted, posteriors: T, cellMass1 } = s;
  cellMass1.fill(0);
  let mass1 = 0,
    items = 0;
  for (let i = 0; i < numItems; i++) {
    if (counted[i] === 0) continue;
    const p1 = T[2 * i + 1];
    mass1 += p1;
    items++;
    for (let p = start[i]; p < start[i + 1]; p++) cellMass1[cell[p]] += p1;
  }
  s.emCounts.classMass[0] = items - mass1;
  s.emCounts.classMass[1] = mass1;
}

/** Writes the [w][answered][true] counts the M-step reads from the per-cell class-1 masses. */
function expandBinaryCounts(s: EmState): void {
  const { cellAnswers, cellMass1 } = s;
  const { counts } = s.emCounts;
  for (let c = 0; c < cellMass1.length; c++) {
    counts[2 * c] = cellAnswers[c] - cellMass1[c];
    counts[2 * c + 1] = cellMass1[c];
  }
}

function expectAndCountBinary(s: EmState): number {
  const { numItems, start, cell, gold, counted, posteriors: T, cellMass1, cellLogRatio } = s;
  const { table, logPrior } = s.tables;
  for (let c = 0; c < cellLogRatio.length; c++) cellLogRatio[c] = table[2 * c + 1] - table[2 * c];
  const priorRatio = logPrior[1] - logPrior[0];
  cellMass1.fill(0);
  let mass1 = 0,
    items = 0,
    maxChange = 0;
  for (let i = 0; i < numItems; i++) {
    if (counted[i] === 0) continue;
    const from = start[i],
      to = start[i + 1];
    let p1 = T[2 * i + 1];
    if (gold === null || gold[i] === NO_GOLD) {
      let ratio = priorRatio;
      for (let p = from; p < to; p++) ratio += cellLogRatio[cell[p]];
      const next = 1 / (1 + Math.exp(-ratio));
      const d = Math.abs(next - p1);
      if (d > maxChange) maxChange = d;
      p1 = next;
      T[2 * i] = 1 - next;
      T[2 * i + 1] = next;
    }
    mass1 += p1;
    items++;
    for (let p = from; p < to; p++) cellMass1[cell[p]] += p1;
  }
  s.emCounts.classMass[0] = items - mass1;
  s.emCounts.classMass[1] = mass1;
  return maxChange;
}

/** Sum over items of log sum_t exp(log prior + answers' table entries) under the final tables:
 * the data log-likelihood for the exact-EM methods (gold items: their gold class's term). */
function logLikelihood(s: EmState): number {
  const { numItems, k, start, cell, gold } = s;
  const { table, logPrior } = s.tables;
  const row = new Float64Array(k);
  let ll = 0;
  for (let i = 0; i < numItems; i++) {
    if (s.counted[i] === 0) continue;
    for (let c = 0; c < k; c++) row[c] = logPrior[c];
    for (let p = start[i]; p < start[i + 1]; p++) for (let c = 0; c < k; c++) row[c] += table[cell[p] * k + c];
    if (gold !== null && gold[i] !== NO_GOLD) {
      ll += row[gold[i]];
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (row[c] > max) max = row[c];
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(row[c] - max);
    ll += max + Math.log(sum);
  }
  return ll;
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
