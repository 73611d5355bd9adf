import { matrixFromTriples } from './answer-matrix';
import { dawidSkene } from './dawid-skene';
import { NO_GOLD } from './types';

/** Items 0-5: worker 0 answers 0, workers 1 and 2 answer 1. Item 6 is answered the same way.
 * Without gold the two-against-one majority wins everywhere; with items 0-5 known to be 0,
 * workers 1 and 2 are revealed as wrong and item 6 must follow worker 0. */
function dataset() {
  const answers: [number, number, number][] = [];
  for (let i = 0; i < 7; i++) answers.push([i, 0, 0], [i, 1, 1], [i, 2, 1]);
  return matrixFromTriples({ answers, numClasses: 2 });
}
const goldOnFirstSix = () => Int32Array.from([0, 0, 0, 0, 0, 0, NO_GOLD]);

describe('dawidSkene gold clamping', () => {
  it('keeps a one-hot posterior on gold items against a unanimous crowd', () => {
    const matrix = matrixFromTriples({
      answers: [
        [0, 0, 1],
        [0, 1, 1],
        [0, 2, 1],
        [1, 0, 1],
      ],
      numClasses: 2,
    });
    const result = dawidSkene({ matrix, gold: Int32Array.from([0, NO_GOLD]) });
    expect(result.labels[0]).toBe(0);
    expect(result.confidence[0]).toBe(1);
    expect(Array.from(result.posteriors.subarray(0, 2))).toEqual([1, 0]);
  });

  it('without gold the majority wins and the answers cannot say more than 2/3', () => {
    // Every item looks the same, so each worker's two confusion rows come out identical (worker 0
    // always 0, workers 1 and 2 always 1): the answers are equally likely under either class and
    // the posterior stays at the class prior, the soft majority vote [1/3, 2/3].
    const result = dawidSkene({ matrix: dataset() });
    expect(result.labels[6]).toBe(1);
    expect(result.confidence[6]).toBeCloseTo(2 / 3, 12);
  });

  it('gold anchors the confusion matrices and flips the result', () => {
    const result = dawidSkene({ matrix: dataset(), gold: goldOnFirstSix() });
    expect(result.labels[6]).toBe(0);
    expect(result.confidence[6]).toBeGreaterThan(0.99);
  });

  it('estimates worker accuracy from the gold items', () => {
    const result = dawidSkene({ matrix: dataset(), gold: goldOnFirstSix() });
    expect(result.workerAccuracy[0]).toBeGreaterThan(0.95);
    expect(result.workerAccuracy[1]).toBeLessThan(0.05);
    expect(result.workerAccuracy[2]).toBeLessThan(0.05);
  });

  it('labels a gold item that has no answers with its gold label', () => {
    const matrix = matrixFromTriples({ answers: [[0, 0, 1]], numClasses: 3, numItems: 2 });
    const result = dawidSkene({ matrix, gold: Int32Array.from([NO_GOLD, 2]) });
    expect(result.labels[1]).toBe(2);
    expect(result.confidence[1]).toBe(1);
  });

  it.each<[string, Int32Array]>([
    ['a gold label outside the classes', Int32Array.from([5])],
    ['a gold array of the wrong length', Int32Array.from([0, 0])],
  ])('rejects %s', (_name, gold) => {
    const matrix = matrixFromTriples({ answers: [[0, 0, 1]], numClasses: 2 });
    expect(() => dawidSkene({ matrix, gold })).toThrow(RangeError);
  });
});
