import { finishLabels } from './answer-matrix';
import { runConfusionEm, type EmCounts, type EmTables, type EmMethodInput } from './confusion-em';
import { digamma } from './special-functions';
import type { AggregationResult } from './types';

// MACE, Multi-Annotator Competence Estimation: Hovy, Berg-Kirkpatrick, Vaswani & Hovy, NAACL 2013,
// "Learning Whom to Trust with MACE". The true label T is uniform; on each item a worker either
// knows it (probability theta_w) and answers T, or spams and answers from their own strategy
// distribution xi_w, whatever T is. So
//   P(answer a | T = t) = theta_w [a = t] + (1 - theta_w) xi_w[a],
// a confusion table with K parameters per worker that recognises a spammer who always answers
// the same class. Fitted with the paper's variational Bayes (section 2.2): Beta(0.5, 0.5) prior on
// theta, symmetric Dirichlet(10) on xi, and the E-step uses the geometric means exp(E[ln theta]),
// exp(E[ln(1 - theta)]), exp(E[ln xi]). Expected counts: an answer a on an item with P(T = a) = q
// was "known" with probability q theta / (theta + (1 - theta) xi[a]), else spammed.
// Deterministic start instead of the paper's random restarts: soft majority vote, theta = 0.5,
// uniform xi.

export const MACE_PRIORS = { knowAlpha: 0.5, knowBeta: 0.5, strategy: 10 } as const;

export type MaceInput = EmMethodInput;

export function mace(input: MaceInput): AggregationResult {
  const { matrix: m, gold } = input;
  const k = m.numClasses;
  const { knowAlpha, knowBeta, strategy } = MACE_PRIORS;
  // The parameters the last E-step used, needed to split its counts into known / spammed.
  const know = new Float64Array(m.numWorkers).fill(0.5);
  const spam = new Float64Array(m.numWorkers).fill(0.5);
  const xi = new Float64Array(m.numWorkers * k).fill(1 / k);
  const knowing = new Float64Array(m.numWorkers);
  const answered = new Float64Array(m.numWorkers);
  const spammed = new Float64Array(k);

  const mStep = (counts: EmCounts, tables: EmTables): void => {
    tables.logPrior.fill(-Math.log(k));
    const c = counts.counts;
    for (let w = 0; w < m.numWorkers; w++) {
      const wb = w * k * k;
      let known = 0,
        total = 0,
        spammedTotal = 0;
      for (let a = 0; a < k; a++) {
        let withLabel = 0;
        for (let t = 0; t < k; t++) withLabel += c[wb + a * k + t];
        const knownHere = (c[wb + a * k + a] * know[w]) / (know[w] + spam[w] * xi[w * k + a]);
        known += knownHere;
        total += withLabel;
        spammed[a] = Math.max(0, withLabel - knownHere);
        spammedTotal += spammed[a];
      }
      knowing[w] = known;
      answered[w] = total;
      const psiAll = digamma(total + knowAlpha + knowBeta);
      know[w] = Math.exp(digamma(known + knowAlpha) - psiAll);
      spam[w] = Math.exp(digamma(Math.max(0, total - known) + knowBeta) - psiAll);
      const psiStrategy = digamma(spammedTotal + k * strategy);
      for (let a = 0; a < k; a++) xi[w * k + a] = Math.exp(digamma(spammed[a] + strategy) - psiStrategy);
      for (let a = 0; a < k; a++) {
        const spamTerm = spam[w] * xi[w * k + a];
        for (let t = 0; t < k; t++) tables.table[wb + a * k + t] = Math.log(a === t ? spamTerm + know[w] : spamTerm);
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
  // P(correct) with the posterior-mean theta: knows it, or spams and happens to hit the uniform T.
  const workerAccuracy = new Float64Array(m.numWorkers);
  for (let w = 0; w < m.numWorkers; w++) {
    const theta = (knowing[w] + knowAlpha) / (answered[w] + knowAlpha + knowBeta);
    workerAccuracy[w] = theta + (1 - theta) / k;
  }
  return {
    method: 'mace',
    labels,
    confidence,
    posteriors: run.posteriors,
    workerAccuracy,
    iterations: run.iterations,
    converged: run.converged,
  };
}
