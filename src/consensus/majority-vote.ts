import { answersPerItem, assertValidMatrix, clampGold, countVotes, finishLabels, softmaxRow } from './answer-matrix';
import { logOddsWeight, smoothedGoldAccuracy } from './gold-accuracy';
import { NO_GOLD, type AggregationResult, type AnswerMatrix, type GoldLabels } from './types';

export interface MajorityVoteInput {
  matrix: AnswerMatrix;
  gold?: GoldLabels;
}

/** Plain majority vote. Confidence = vote share of the winning class; ties go to the lowest class
 * index. Gold items keep their gold label with confidence 1. Worker accuracy = Beta(1,1)-smoothed
 * agreement with the final labels. */
export function majorityVote(input: MajorityVoteInput): AggregationResult {
  const { matrix: m, gold } = input;
  assertValidMatrix(m, gold);
  const k = m.numClasses;
  const n = answersPerItem(m);
  const posteriors = countVotes(m);
  for (let i = 0; i < m.numItems; i++) {
    if (n[i] === 0) continue;
    for (let c = 0; c < k; c++) posteriors[i * k + c] /= n[i];
  }
  clampGold({ values: posteriors, k }, gold);
  const { labels, confidence } = finishLabels({ posteriors, answersPerItem: n, gold, k });
  const workerAccuracy = agreementWithLabels(m, labels);
  return { method: 'mv', labels, confidence, posteriors, workerAccuracy, iterations: 0, converged: true };
}

export interface WeightedMajorityVoteInput extends MajorityVoteInput {
  /** Known accuracy per worker (e.g. smoothed gold accuracy from worker stats). When absent it is
   * estimated from gold answers and leave-one-out agreement with the other answers. */
  workerAccuracy?: Float64Array;
  priorAlpha?: number;
  priorBeta?: number;
}

/** Weighted majority vote with log-odds weights w = log((K-1) p / (1-p)). Under the one-coin model
 * the class posterior with a uniform prior is exactly softmax(sum of weights per class), which is
 * what we report as the posterior; confidence is its maximum. */
export function weightedMajorityVote(input: WeightedMajorityVoteInput): AggregationResult {
  const { matrix: m, gold } = input;
  assertValidMatrix(m, gold);
  const k = m.numClasses;
  if (input.workerAccuracy !== undefined && input.workerAccuracy.length !== m.numWorkers) {
    throw new RangeError('workerAccuracy must have one entry per worker');
  }
  const accuracy =
    input.workerAccuracy ??
    estimateWorkerAccuracy({
      matrix: m,
      gold,
      priorAlpha: input.priorAlpha ?? 1,
      priorBeta: input.priorBeta ?? 1,
    });
  const weights = new Float64Array(m.numWorkers);
  for (let w = 0; w < m.numWorkers; w++) weights[w] = logOddsWeight({ accuracy: accuracy[w], numClasses: k });

  const n = answersPerItem(m);
  const posteriors = new Float64Array(m.numItems * k);
  for (let a = 0; a < m.itemIndex.length; a++) {
    posteriors[m.itemIndex[a] * k + m.labelIndex[a]] += weights[m.workerIndex[a]];
  }
  const table = { values: posteriors, k };
  for (let i = 0; i < m.numItems; i++) if (n[i] > 0) softmaxRow(table, i);
  clampGold(table, gold);
  const { labels, confidence } = finishLabels({ posteriors, answersPerItem: n, gold, k });
  return {
    method: 'wmv',
    labels,
    confidence,
    posteriors,
    workerAccuracy: Float64Array.from(accuracy),
    iterations: 0,
    converged: true,
  };
}

/** Accuracy per worker: on gold items, 1 if the answer matches gold; elsewhere the share of the
 * OTHER answers on that item agreeing with it (leave-one-out, so a worker does not vouch for
 * themselves, which would inflate everyone on sparse items). Items answered once carry no
 * evidence. Beta-smoothed so sparse workers stay near the prior. */
export function estimateWorkerAccuracy(params: {
  matrix: AnswerMatrix;
  gold?: GoldLabels;
  priorAlpha: number;
  priorBeta: number;
}): Float64Array {
  const { matrix: m, gold } = params;
  const k = m.numClasses;
  const counts = countVotes(m);
  const n = answersPerItem(m);
  const agree = new Float64Array(m.numWorkers);
  const seen = new Float64Array(m.numWorkers);
  for (let a = 0; a < m.itemIndex.length; a++) {
    const i = m.itemIndex[a],
      w = m.workerIndex[a],
      l = m.labelIndex[a];
    if (gold !== undefined && gold[i] !== NO_GOLD) {
      agree[w] += gold[i] === l ? 1 : 0;
      seen[w] += 1;
    } else if (n[i] > 1) {
      agree[w] += (counts[i * k + l] - 1) / (n[i] - 1);
      seen[w] += 1;
    }
  }
  const out = new Float64Array(m.numWorkers);
  for (let w = 0; w < m.numWorkers; w++) {
    out[w] = smoothedGoldAccuracy({
      correct: agree[w],
      seen: seen[w],
      priorAlpha: params.priorAlpha,
      priorBeta: params.priorBeta,
    });
  }
  return out;
}

/** Beta(1,1)-smoothed share of a worker's answers that match the final label. */
export function agreementWithLabels(m: AnswerMatrix, labels: Int32Array): Float64Array {
  const agree = new Float64Array(m.numWorkers);
  const seen = new Float64Array(m.numWorkers);
  for (let a = 0; a < m.itemIndex.length; a++) {
    const w = m.workerIndex[a];
    seen[w] += 1;
    if (labels[m.itemIndex[a]] === m.labelIndex[a]) agree[w] += 1;
  }
  const out = new Float64Array(m.numWorkers);
  for (let w = 0; w < m.numWorkers; w++) out[w] = smoothedGoldAccuracy({ correct: agree[w], seen: seen[w] });
  return out;
}
