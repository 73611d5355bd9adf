import { finishLabels } from './answer-matrix';
import { IBCC_DEFAULT_PRIOR } from './defaults';
import { assertValidPrior, priorPseudoCount, type ConfusionPrior } from './confusion-prior';
import { runConfusionEm, type EmCounts, type EmTables, type EmMethodInput } from './confusion-em';
import { digamma } from './special-functions';
import type { AggregationResult } from './types';

// IBCC, Bayesian Dawid-Skene fitted by variational inference: Kim & Ghahramani, AISTATS 2012,
// "Bayesian Classifier Combination", with the mean-field updates of Simpson et al. (2013),
// "Dynamic Bayesian combination of multiple imperfect classifiers". Dirichlet priors on every
// confusion row (alpha0, from `prior`) and on the class proportions (nu0 = 1 each). Instead of
// point estimates the E-step uses expected logs under the posterior Dirichlets:
//   E[ln pi[w][t][a]] = psi(alpha0[t][a] + N[w][t][a]) - psi(sum over a' of the same)
//   E[ln kappa[t]]    = psi(nu0 + M[t]) - psi(K nu0 + sum of M)
// and q(item = t) is proportional to exp(E[ln kappa[t]] + sum over its answers of E[ln pi]).
// Uncertainty about a sparse worker therefore shrinks their vote automatically.

const CLASS_PSEUDO_COUNT = 1;

export interface IbccInput extends EmMethodInput {
  prior?: ConfusionPrior;
}

export function ibcc(input: IbccInput): AggregationResult {
  const { matrix: m, gold } = input;
  const prior = input.prior ?? IBCC_DEFAULT_PRIOR;
  assertValidPrior(prior);
  const k = m.numClasses;
  const right = priorPseudoCount({ prior, k, right: true });
  const wrong = priorPseudoCount({ prior, k, right: false });
  const mStep = (counts: EmCounts, tables: EmTables): void => {
    const { classMass, counts: c } = counts;
    let mass = 0;
    for (let t = 0; t < k; t++) mass += classMass[t];
    const psiTotal = digamma(k * CLASS_PSEUDO_COUNT + mass);
    for (let t = 0; t < k; t++) tables.logPrior[t] = digamma(CLASS_PSEUDO_COUNT + classMass[t]) - psiTotal;
    const psiRow = new Float64Array(k);
    for (let wb = 0; wb < counts.numWorkers * k * k; wb += k * k) {
      psiRow.fill(prior.strength);
      for (let a = 0; a < k; a++) for (let t = 0; t < k; t++) psiRow[t] += c[wb + a * k + t];
      for (let t = 0; t < k; t++) psiRow[t] = digamma(psiRow[t]);
      for (let a = 0; a < k; a++) {
        for (let t = 0; t < k; t++)
          tables.table[wb + a * k + t] = digamma(c[wb + a * k + t] + (a === t ? right : wrong)) - psiRow[t];
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
  return {
    method: 'ibcc',
    labels,
    confidence,
    posteriors: run.posteriors,
    iterations: run.iterations,
    converged: run.converged,
    workerAccuracy: posteriorMeanAccuracy({ counts: run.counts, prior }),
  };
}

/** P(correct) under the posterior-mean confusion matrices and class proportions. */
function posteriorMeanAccuracy(params: { counts: EmCounts; prior: ConfusionPrior }): Float64Array {
  const { counts, prior } = params;
  const { numWorkers, k, counts: c, classMass } = counts;
  const right = priorPseudoCount({ prior, k, right: true });
  let mass = 0;
  for (let t = 0; t < k; t++) mass += classMass[t] + CLASS_PSEUDO_COUNT;
  const accuracy = new Float64Array(numWorkers);
  for (let w = 0; w < numWorkers; w++) {
    const wb = w * k * k;
    for (let t = 0; t < k; t++) {
      let row = prior.strength;
      for (let a = 0; a < k; a++) row += c[wb + a * k + t];
      accuracy[w] += ((classMass[t] + CLASS_PSEUDO_COUNT) / mass) * ((c[wb + t * k + t] + right) / row);
    }
  }
  return accuracy;
}
