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

// One-coin Dawid-Skene: each worker is a single coin, right with probability p_w and otherwise
// uniformly wrong over the other K - 1 classes (the worker model of ZenCrowd, Demartini et al.
// WWW 2012, "ZC" in Zheng et al. VLDB 2017; the "one-coin model" of Zhang et al. NIPS 2014).
// EM as in Dawid-Skene with the M-step p_w = (expected correct answers) / (answers of w), a
// maximum-likelihood class prior, and the same 1e-10 floor. K - 1 parameters fewer per worker
// than DS, so it holds up better when workers answer few items.

export type OneCoinInput = EmMethodInput;

export function oneCoin(input: OneCoinInput): AggregationResult {
  const { matrix: m, gold } = input;
  const accuracy = new Float64Array(m.numWorkers);
  const mStep = (counts: EmCounts, tables: EmTables): void => {
    mlLogPrior(counts, tables.logPrior);
    const { numWorkers, k, counts: c } = counts;
    for (let w = 0; w < numWorkers; w++) {
      const wb = w * k * k;
      let right = 0,
        total = 0;
      for (let a = 0; a < k; a++) {
        for (let t = 0; t < k; t++) total += c[wb + a * k + t];
        right += c[wb + a * k + a];
      }
      accuracy[w] = total > 0 ? right / total : 1 / k;
      fillOneCoinRows({ table: tables.table, base: wb, k, accuracy: accuracy[w] });
    }
  };
  const run = runConfusionEm({ matrix: m, gold, tol: input.tol, maxIterations: input.maxIterations, mStep });
  const { labels, confidence } = finishLabels({
    posteriors: run.posteriors,
    answersPerItem: run.answersPerItem,
    gold,
    k: m.numClasses,
  });
  return {
    method: 'one-coin',
    labels,
    confidence,
    posteriors: run.posteriors,
    workerAccuracy: accuracy,
    iterations: run.iterations,
    converged: run.converged,
  };
}

/** log P(answered | true) of a worker who is right with `accuracy`, else uniformly wrong. */
export function fillOneCoinRows(params: { table: Float64Array; base: number; k: number; accuracy: number }): void {
  const { table, base, k, accuracy } = params;
  const right = flooredLog(accuracy);
  const wrong = k > 1 ? flooredLog((1 - accuracy) / (k - 1)) : 0;
  for (let a = 0; a < k; a++) for (let t = 0; t < k; t++) table[base + a * k + t] = a === t ? right : wrong;
}
