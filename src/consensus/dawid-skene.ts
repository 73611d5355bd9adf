import { finishLabels } from './answer-matrix';
import {
  flooredLog,
  mlLogPrior,
  runConfusionEm,
  type EmCounts,
  type EmTables,
  type EmMethodInput,
} from './confusion-em';
import type { AggregationResult } from './types';

// Dawid & Skene (1979), "Maximum likelihood estimation of observer error-rates using the EM
// algorithm", Applied Statistics 28(1): every worker has a full K x K confusion matrix
// pi[w][true][answered], items have a class prior, the true labels are latent, and EM finds the
// maximum-likelihood parameters.
//
// Kept textbook on purpose, so its numbers can be compared with published ones: soft-majority
// start, maximum-likelihood M-step (counts / row total, no smoothing; only a 1e-10 floor against
// log 0, and a row with no mass at all is uniform), stop when no posterior moves by more than
// 1e-8 or after 50 iterations (confusion-em.ts). Methods with priors are LFC and IBCC.

export type DawidSkeneInput = EmMethodInput;

export interface DawidSkeneResult extends AggregationResult {
  readonly method: 'ds';
  /** Estimated class prior, length K. */
  readonly classPriors: Float64Array;
  /** Confusion matrices, index [(w * K + trueClass) * K + answeredClass]; rows sum to 1 (up to the floor). */
  readonly confusion: Float64Array;
  /** Data log-likelihood after the last E-step. */
  readonly logLikelihood: number;
}

export function dawidSkene(input: DawidSkeneInput): DawidSkeneResult {
  const { matrix: m, gold } = input;
  const run = runConfusionEm({
    matrix: m,
    gold,
    tol: input.tol,
    maxIterations: input.maxIterations,
    mStep: maximumLikelihoodConfusion,
  });
  const k = m.numClasses;
  const { labels, confidence } = finishLabels({
    posteriors: run.posteriors,
    answersPerItem: run.answersPerItem,
    gold,
    k,
  });
  const classPriors = run.tables.logPrior.map(Math.exp);
  const confusion = transposedProbabilities(run.tables.table, { numWorkers: m.numWorkers, k });
  return {
    method: 'ds',
    labels,
    confidence,
    posteriors: run.posteriors,
    iterations: run.iterations,
    converged: run.converged,
    workerAccuracy: accuracyFromConfusion({ confusion, classPriors, numWorkers: m.numWorkers }),
    classPriors,
    confusion,
    logLikelihood: run.logLikelihood,
  };
}

/** The textbook M-step: pi[w][t][a] = counts[w][a][t] / sum over a of counts[w][a][t]. */
export function maximumLikelihoodConfusion(counts: EmCounts, tables: EmTables): void {
  mlLogPrior(counts, tables.logPrior);
  const { numWorkers, k, counts: c } = counts;
  const { table } = tables;
  const rowSum = new Float64Array(k);
  const uniform = -Math.log(k);
  for (let wb = 0; wb < numWorkers * k * k; wb += k * k) {
    rowSum.fill(0);
    for (let a = 0; a < k; a++) for (let t = 0; t < k; t++) rowSum[t] += c[wb + a * k + t];
    for (let a = 0; a < k; a++) {
      for (let t = 0; t < k; t++)
        table[wb + a * k + t] = rowSum[t] > 0 ? flooredLog(c[wb + a * k + t] / rowSum[t]) : uniform;
    }
  }
}

/** exp of a [w][answered][true] log table, laid out [w][true][answered] (rows = true class). */
export function transposedProbabilities(table: Float64Array, size: { numWorkers: number; k: number }): Float64Array {
  const { numWorkers, k } = size;
  const out = new Float64Array(numWorkers * k * k);
  for (let w = 0; w < numWorkers; w++) {
    for (let t = 0; t < k; t++)
      for (let a = 0; a < k; a++) out[(w * k + t) * k + a] = Math.exp(table[(w * k + a) * k + t]);
  }
  return out;
}

/** P(worker answers correctly on a random item) = sum over classes of prior x diagonal. */
export function accuracyFromConfusion(params: {
  confusion: Float64Array;
  classPriors: Float64Array;
  numWorkers: number;
}): Float64Array {
  const { confusion, classPriors, numWorkers } = params;
  const k = classPriors.length;
  const accuracy = new Float64Array(numWorkers);
  for (let w = 0; w < numWorkers; w++) {
    for (let t = 0; t < k; t++) accuracy[w] += classPriors[t] * confusion[(w * k + t) * k + t];
  }
  return accuracy;
}
