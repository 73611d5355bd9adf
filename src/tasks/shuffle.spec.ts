import { randomInt } from 'node:crypto';
import { shuffle } from './shuffle';

describe('shuffle', () => {
  it.each<[string, (max: number) => number, unknown[], unknown[]]>([
    ['always the last index keeps the order', (max: number) => max - 1, [1, 2, 3, 4], [1, 2, 3, 4]],
    ['always index 0 rotates', () => 0, [1, 2, 3, 4], [2, 3, 4, 1]],
    ['a single element', () => 0, ['a'], ['a']],
    ['nothing', () => 0, [], []],
  ])('%s', (_name, source, input, expected) => {
    expect(shuffle(input, source)).toEqual(expected);
  });

  it('returns a permutation and leaves the input alone', () => {
    const input = Array.from({ length: 50 }, (_, i) => i);
    const out = shuffle(input, randomInt);
    expect([...out].sort((a, b) => a - b)).toEqual(input);
    expect(input).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('puts every element in every position about equally often', () => {
    const counts = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
    const rounds = 40_000;
    for (let r = 0; r < rounds; r++) shuffle([0, 1, 2, 3], randomInt).forEach((value, position) => counts[value][position]++);
    // Expected 10,000 each; 5 sigma of a binomial(40000, 1/4) is ~430.
    for (const row of counts) for (const n of row) expect(Math.abs(n - rounds / 4)).toBeLessThan(500);
  });

  it('refuses a random source out of range', () => {
    expect(() => shuffle([1, 2, 3], (max) => max)).toThrow(RangeError);
  });
});
