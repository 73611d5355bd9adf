import { finishLabels } from './answer-matrix';
import { LFC_DEFAULT_PRIOR } from './defaults';
import { assertValidPrior, priorPseudoCount, type ConfusionPrior } from './confusion-prior';
import {
  flooredLog,
  mlLogPrior,
  runConfusionEm,
  type EmCounts,
  type EmTables,
  type EmMethodInput,
} from './confusion-em';
import { accuracyFromConfusion, transposedProbabilities } from './dawid-skene';
import type { AggregationResult } from './types';

// LFC, "learning from crowds" without features: Raykar et al., JMLR 11 (2010), "Learning From
// Crowds", section 2 and its multi-class extension (section 5): Dawid-Skene with a Dirichlet
// prior on every confusion row, fitted by EM to the maximum a posteriori estimate. The M-step is
//   pi[w][t][a] = (N[w][t][a] + alpha[t][a] - 1) / sum over a' of (N[w][t][a'] + alpha[t][a'] - 1)
// where N are the expected counts; here alpha - 1 are the pseudo-counts of `prior`
// (confusion-prior.ts). A worker with few answers stays near the prior instead of getting a
// confusion row of 0s and 1s. The class prior is the maximum-likelihood estimate.

export interface LfcInput extends EmMethodInput {
  prior?: ConfusionPrior;
}

export function lfc(input: LfcInput): AggregationResult {
  const { matrix: m, gold } = input;
  const prior = input.prior ?? LFC_DEFAULT_PRIOR;
  assertValidPrior(prior);
  const k = m.numClasses;
  const right = priorPseudoCount({ prior, k, right: true });
  const wrong = priorPseudoCount({ prior, k, right: false });
  const mStep = (counts: EmCounts, tables: EmTables): void => {
    mlLogPrior(counts, tables.logPrior);
    const c = counts.counts;
    const rowSum = new Float64Array(k);
    for (let wb = 0; wb < counts.numWorkers * k * k; wb += k * k) {
      rowSum.fill(prior.strength);
      for (let a = 0; a < k; a++) for (let t = 0; t < k; t++) rowSum[t] += c[wb + a * k + t];
      for (let a = 0; a < k; a++) {
        for (let t = 0; t < k; t++)
          tables.table[wb + a * k + t] = flooredLog((c[wb + a * k + t] + (a === t ? right : wrong)) / rowSum[t]);
      }
    }
  };
  const run = runConfusionEm({ matrix: m, gold, tol: input.tol, maxIterations: input.maxIterations, mStep });
  const { labels, confidence } = finishLabels({
    posteriors: run.posteriors,
    answersPerItem: run.answersPerItem,
    gold,
    k,
  });
  const confusion = transposedProbabilities(run.tables.table, { numWorkers: m.numWorkers, k });
  const workerAccuracy = accuracyFromConfusion({
    confusion,
    classPriors: run.tables.logPrior.map(Math.exp),
    numWorkers: m.numWorkers,
  });
  return {
    method: 'lfc',
    labels,
    confidence,
    posteriors: run.posteriors,
    workerAccuracy,
    iterations: run.iterations,
    converged: run.converged,
  };
}
