import { answersInOrder, inOrderOf } from './batch-order';

describe(inOrderOf.name, () => {
  it.each([
    ['by the first key', [['b'], ['a'], ['c']], [1, 0, 2]],
    [
      'by the second key when the first ties',
      [
        ['w', 'd2'],
        ['w', 'd1'],
        ['v', 'd9'],
      ],
      [2, 1, 0],
    ],
    [
      'keeping the order of calls with the same keys',
      [
        ['w', 'd'],
        ['v', 'd'],
        ['w', 'd'],
      ],
      [1, 0, 2],
    ],
    ['two batches given the same workers in opposite orders alike', [['y'], ['x']], [1, 0]],
    ['nothing', [], []],
  ])('orders %s', (_, keys, order) => {
    expect(inOrderOf(keys)).toEqual(order);
  });

  it('gives two batches holding the same keys in any order the same sequence of keys', () => {
    const a = [['m'], ['x'], ['y']];
    const b = [['y'], ['m'], ['x']];
    expect(inOrderOf(a).map((i) => a[i][0])).toEqual(inOrderOf(b).map((i) => b[i][0]));
  });
});

describe(answersInOrder.name, () => {
  const order = [2, 0, 1]; // call 2 ran first, then call 0, then call 1

  it('puts each row back at the call it answers', () => {
    const rows = [
      { n: 1, v: 'ran first' },
      { n: 2, v: 'ran second' },
      { n: 3, v: 'ran third' },
    ];
    expect(answersInOrder(order, rows, (r) => r.v)).toEqual(['ran second', 'ran third', 'ran first']);
  });

  it.each([
    ['a missing answer', [{ n: 1 }, { n: 2 }]],
    ['an answer twice', [{ n: 1 }, { n: 1 }, { n: 2 }]],
    ['an answer to no call', [{ n: 1 }, { n: 2 }, { n: 4 }]],
    ['a number that is no position', [{ n: 1 }, { n: 2 }, { n: 2.5 }]],
  ])('refuses %s', (_, rows) => {
    expect(() => answersInOrder(order, rows, (r) => r.n)).toThrow(/batch of 3 calls/);
  });
});
