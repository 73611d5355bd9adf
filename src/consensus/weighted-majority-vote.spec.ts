import { matrixFromTriples } from './answer-matrix';
import { estimateWorkerAccuracy, weightedMajorityVote } from './majority-vote';
import { NO_GOLD } from './types';

describe('weightedMajorityVote', () => {
  // One item; worker w answers labels[w]; accuracies are given, so weights are log((K-1)p/(1-p)).
  it.each<[string, number[], number[], number, number, number]>([
    // exp(log 9) = 9 against exp(2 log 1.5) = 2.25: posterior 9 / 11.25 = 0.8.
    ['one expert outweighs two weak workers', [0, 1, 1], [0.9, 0.6, 0.6], 2, 0, 0.8],
    // 1.5^3 = 3.375 < 9 still.
    ['three weak workers still lose to the expert', [0, 1, 1, 1], [0.9, 0.6, 0.6, 0.6], 2, 0, 9 / 12.375],
    // Two 0.8 workers: 4 * 4 = 16 > 9.
    ['two good workers beat one expert', [0, 1, 1], [0.9, 0.8, 0.8], 2, 1, 16 / 25],
    // A chance-level worker has weight 0: uniform posterior, tie to class 0.
    ['a chance-level worker carries no weight', [1], [0.5], 2, 0, 0.5],
    // K = 3, p = 0.5: weight log 2 -> posterior 2 / (2 + 1 + 1).
    ['three classes', [2], [0.5], 3, 2, 0.5],
    // p < 1/K: negative weight, the vote counts against the class answered.
    ['an adversarial worker votes against its answer', [1], [0.1], 2, 0, 0.9],
  ])('%s', (_name, labels, accuracy, k, expectedLabel, expectedConfidence) => {
    const matrix = matrixFromTriples({ answers: labels.map((l, w) => [0, w, l]), numClasses: k });
    const result = weightedMajorityVote({ matrix, workerAccuracy: Float64Array.from(accuracy) });
    expect(result.labels[0]).toBe(expectedLabel);
    expect(result.confidence[0]).toBeCloseTo(expectedConfidence, 12);
  });

  it('estimates accuracy by leave-one-out agreement when none is given', () => {
    // item 0: w0=0 w1=0 w2=1; item 1: all 1.
    // w0: (1/2 + 1) -> (1.5 + 1) / (2 + 2) = 0.625; w2: (0 + 1) -> 2 / 4 = 0.5.
    const matrix = matrixFromTriples({
      answers: [
        [0, 0, 0],
        [0, 1, 0],
        [0, 2, 1],
        [1, 0, 1],
        [1, 1, 1],
        [1, 2, 1],
      ],
      numClasses: 2,
    });
    const accuracy = estimateWorkerAccuracy({ matrix, priorAlpha: 1, priorBeta: 1 });
    expect(Array.from(accuracy)).toEqual([0.625, 0.625, 0.5]);
    expect(Array.from(weightedMajorityVote({ matrix }).workerAccuracy)).toEqual([0.625, 0.625, 0.5]);
  });

  it('scores answers on gold items against gold, not the crowd', () => {
    // Gold item 0 is class 0; w1 and w2 contradict it, w0 matches.
    const matrix = matrixFromTriples({
      answers: [
        [0, 0, 0],
        [0, 1, 1],
        [0, 2, 1],
      ],
      numClasses: 2,
    });
    const gold = Int32Array.from([0]);
    const accuracy = estimateWorkerAccuracy({ matrix, gold, priorAlpha: 1, priorBeta: 1 });
    expect(Array.from(accuracy)).toEqual([2 / 3, 1 / 3, 1 / 3]);
  });

  it('lets gold-estimated weights flip an item the plain majority would get wrong', () => {
    // Items 0-3 are gold 0: w0 right, w1/w2 always answer 1. Item 4: w0=0, w1=1, w2=1.
    const answers: [number, number, number][] = [];
    for (let i = 0; i < 5; i++) answers.push([i, 0, 0], [i, 1, 1], [i, 2, 1]);
    const matrix = matrixFromTriples({ answers, numClasses: 2 });
    const gold = Int32Array.from([0, 0, 0, 0, NO_GOLD]);
    expect(weightedMajorityVote({ matrix }).labels[4]).toBe(1);
    expect(weightedMajorityVote({ matrix, gold }).labels[4]).toBe(0);
  });

  it('rejects accuracy arrays of the wrong length', () => {
    const matrix = matrixFromTriples({
      answers: [
        [0, 0, 0],
        [0, 1, 0],
      ],
      numClasses: 2,
    });
    expect(() => weightedMajorityVote({ matrix, workerAccuracy: new Float64Array(1) })).toThrow(RangeError);
  });
});
