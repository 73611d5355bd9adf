import { matrixFromTriples } from './answer-matrix';
import { majorityVote } from './majority-vote';
import { NO_GOLD, NO_LABEL } from './types';

type Triple = [number, number, number];
const votes = (labels: number[]): Triple[] => labels.map((l, w) => [0, w, l]);

describe('majorityVote', () => {
  it.each<[string, number[], number, number, number]>([
    ['clear majority', [0, 0, 1], 2, 0, 2 / 3],
    ['unanimous', [1, 1, 1], 2, 1, 1],
    ['two-way tie goes to the lowest class index', [1, 0], 2, 0, 0.5],
    ['tie between higher classes still picks the lowest tied one', [2, 1, 2, 1], 3, 1, 0.5],
    ['three-way tie', [2, 1, 0], 3, 0, 1 / 3],
    ['plurality among three classes', [2, 2, 1, 0], 3, 2, 0.5],
  ])('%s', (_name, labels, k, expectedLabel, expectedConfidence) => {
    const result = majorityVote({ matrix: matrixFromTriples({ answers: votes(labels), numClasses: k }) });
    expect(result.labels[0]).toBe(expectedLabel);
    expect(result.confidence[0]).toBeCloseTo(expectedConfidence, 12);
  });

  it('gives an item without answers no label and zero confidence', () => {
    const result = majorityVote({ matrix: matrixFromTriples({ answers: [[0, 0, 1]], numClasses: 2, numItems: 2 }) });
    expect(Array.from(result.labels)).toEqual([1, NO_LABEL]);
    expect(Array.from(result.confidence)).toEqual([1, 0]);
    expect(Array.from(result.posteriors.subarray(2, 4))).toEqual([0, 0]);
  });

  it('keeps the gold label with confidence 1 against a unanimous crowd', () => {
    const gold = Int32Array.from([0, NO_GOLD]);
    const matrix = matrixFromTriples({
      answers: [
        [0, 0, 1],
        [0, 1, 1],
        [1, 0, 1],
      ],
      numClasses: 2,
    });
    const result = majorityVote({ matrix, gold });
    expect(Array.from(result.labels)).toEqual([0, 1]);
    expect(Array.from(result.posteriors)).toEqual([1, 0, 0, 1]);
  });

  it.each<[string, Triple[], number[]]>([
    // worker 0 agrees with both final labels: (2 + 1) / (2 + 2); worker 1 with 0 of 1: 1 / 3.
    [
      'smoothed agreement with final labels',
      [
        [0, 0, 0],
        [0, 2, 0],
        [0, 1, 1],
        [1, 0, 1],
        [1, 2, 1],
      ],
      [0.75, 1 / 3, 0.75],
    ],
    ['a worker with no answers sits at the prior mean', [[0, 0, 0]], [2 / 3, 0.5]],
  ])('worker accuracy: %s', (_name, answers, expected) => {
    const result = majorityVote({ matrix: matrixFromTriples({ answers, numClasses: 2, numWorkers: expected.length }) });
    expected.forEach((value, w) => expect(result.workerAccuracy[w]).toBeCloseTo(value, 12));
  });

  it.each<[string, Triple[]]>([
    ['label out of range', [[0, 0, 2]]],
    ['negative item', [[-1, 0, 0]]],
  ])('rejects %s', (_name, answers) => {
    const matrix = { ...matrixFromTriples({ answers: [[0, 0, 0]], numClasses: 2 }), ...pick(answers) };
    expect(() => majorityVote({ matrix })).toThrow(RangeError);
  });
});

function pick(answers: Triple[]) {
  return {
    itemIndex: Int32Array.from(answers, (a) => a[0]),
    workerIndex: Int32Array.from(answers, (a) => a[1]),
    labelIndex: Int32Array.from(answers, (a) => a[2]),
  };
}
