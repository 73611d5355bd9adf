import { createAnswerEncoder, decodeLabels, encodeAnswers, sortedClassOrder } from './encoding';
import { majorityVote } from './majority-vote';
import { NO_GOLD } from './types';

describe('encodeAnswers', () => {
  it('numbers items and workers by first appearance and keeps duplicate answers', () => {
    const e = encodeAnswers({
      items: ['b', 'a', 'b', 'b'],
      workers: ['w2', 'w1', 'w2', 'w1'],
      labels: ['y', 'x', 'y', 'x'],
    });
    expect(e.itemIds).toEqual(['b', 'a']);
    expect(e.workerIds).toEqual(['w2', 'w1']);
    expect(Array.from(e.matrix.itemIndex)).toEqual([0, 1, 0, 0]);
    expect(Array.from(e.matrix.workerIndex)).toEqual([0, 1, 0, 1]);
    expect(Array.from(e.matrix.labelIndex)).toEqual([1, 0, 1, 0]);
    expect(e.matrix.itemIndex).toBeInstanceOf(Int32Array);
  });

  it.each<[string, string[], string[]]>([
    ['strings sort by code units', ['cat', 'Dog', 'ant'], ['Dog', 'ant', 'cat']],
    ['integers sort numerically', ['10', '2', '1'], ['1', '2', '10']],
    ['mixed falls back to code units', ['10', '2', 'x'], ['10', '2', 'x']],
    [
      'long integers compare exactly',
      ['90071992547409931', '90071992547409930'],
      ['90071992547409930', '90071992547409931'],
    ],
  ])('discovered classes: %s', (_name, labels, expected) => {
    const e = encodeAnswers({ items: labels.map(() => 'i'), workers: labels.map((_, w) => `w${w}`), labels });
    expect(e.classes).toEqual(expected);
    labels.forEach((label, a) => expect(e.classes[e.matrix.labelIndex[a]]).toBe(label));
  });

  it('keeps the order of given classes, so ties follow the schema', () => {
    const e = encodeAnswers({
      items: ['i', 'i'],
      workers: ['a', 'b'],
      labels: ['yes', 'no'],
      classes: ['yes', 'no', 'maybe'],
    });
    expect(e.matrix.numClasses).toBe(3);
    expect(decodeLabels(e, majorityVote({ matrix: e.matrix }))).toEqual([{ item: 'i', label: 'yes', confidence: 0.5 }]);
  });

  it.each<[string, () => unknown]>([
    [
      'a label outside the given classes',
      () => encodeAnswers({ items: ['i'], workers: ['w'], labels: ['z'], classes: ['a'] }),
    ],
    ['duplicate given classes', () => createAnswerEncoder({ classes: ['a', 'a'] })],
    ['columns of different lengths', () => encodeAnswers({ items: ['i'], workers: [], labels: ['a'] })],
    [
      'two gold labels for one item',
      () => {
        const enc = createAnswerEncoder();
        enc.addGold('i', 'a');
        enc.addGold('i', 'b');
      },
    ],
  ])('rejects %s', (_name, run) => {
    expect(run).toThrow(RangeError);
  });

  it('encodes gold, including gold-only items and gold-only classes', () => {
    const e = encodeAnswers({
      items: ['i1'],
      workers: ['w'],
      labels: ['b'],
      gold: new Map([
        ['i2', 'a'],
        ['i1', 'b'],
      ]),
    });
    expect(e.itemIds).toEqual(['i1', 'i2']);
    expect(e.classes).toEqual(['a', 'b']);
    expect(Array.from(e.gold)).toEqual([1, 0]);
    const none = encodeAnswers({ items: ['i1'], workers: ['w'], labels: ['b'] });
    expect(Array.from(none.gold)).toEqual([NO_GOLD]);
  });

  it('grows past its initial capacity without losing answers', () => {
    const enc = createAnswerEncoder();
    for (let a = 0; a < 5000; a++) enc.add(`i${a % 97}`, `w${a % 13}`, String(a % 3));
    const e = enc.build();
    expect(e.matrix.itemIndex.length).toBe(5000);
    expect(e.classes[e.matrix.labelIndex[4999]]).toBe(String(4999 % 3));
    expect(e.itemIds[e.matrix.itemIndex[4999]]).toBe(`i${4999 % 97}`);
  });

  it('decodes an item without answers or gold to a null label', () => {
    const e = encodeAnswers({ items: ['i1'], workers: ['w'], labels: ['a'] });
    const wider = {
      ...e,
      itemIds: ['i1', 'i2'],
      matrix: { ...e.matrix, numItems: 2 },
      gold: Int32Array.from([NO_GOLD, NO_GOLD]),
    };
    expect(decodeLabels(wider, majorityVote({ matrix: wider.matrix }))).toEqual([
      { item: 'i1', label: 'a', confidence: 1 },
      { item: 'i2', label: null, confidence: 0 },
    ]);
    expect(sortedClassOrder([])).toEqual([]);
  });
});
