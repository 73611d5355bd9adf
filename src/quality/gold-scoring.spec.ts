import { goldMatches, scoreGold } from './gold-scoring';

describe('goldMatches', () => {
  it.each([
    ['SINGLE_CHOICE', 'cat', 'cat', true],
    ['SINGLE_CHOICE', 'cat', ' cat ', true],
    ['SINGLE_CHOICE', 'dog', 'cat', false],
    ['SINGLE_CHOICE', 'Cat', 'cat', false],
    ['SINGLE_CHOICE', '3', 3, true],
    ['MULTI_CHOICE', ['a', 'b'], ['b', 'a'], true],
    ['MULTI_CHOICE', ['a'], 'a', true],
    ['MULTI_CHOICE', [], [], true],
    ['MULTI_CHOICE', ['a'], ['a', 'b'], false],
    ['MULTI_CHOICE', ['a', 'c'], ['a', 'b'], false],
    ['FREE_TEXT', '  new   YORK', 'New York', true],
    ['FREE_TEXT', 'Cafe\u0301', 'café', true],
    ['FREE_TEXT', 'Boston', 'New York', false],
    ['RATING', 4, 4, true],
    ['RATING', 4, '4', true],
    ['RATING', 0.1 + 0.2, 0.3, true],
    ['RATING', 4, 5, false],
  ])('%s answer %p against gold %p: %p', (kind, answer, gold, expected) => {
    expect(goldMatches({ kind, answer, gold })).toBe(expected);
  });

  it.each([
    ['SINGLE_CHOICE', null],
    ['SINGLE_CHOICE', { label: 'cat' }],
    ['MULTI_CHOICE', [1, null]],
    ['FREE_TEXT', 7],
    ['RATING', 'four'],
    ['UNKNOWN_KIND', 'x'],
  ])('%s gold %p cannot be scored', (kind, gold) => {
    expect(goldMatches({ kind, answer: 'x', gold })).toBeNull();
  });

  it('applies a rating tolerance when given', () => {
    expect(goldMatches({ kind: 'RATING', answer: 4, gold: 5, ratingTolerance: 1 })).toBe(true);
    expect(goldMatches({ kind: 'RATING', answer: 3, gold: 5, ratingTolerance: 1 })).toBe(false);
  });
});

describe('scoreGold', () => {
  it('counts correct answers and skips unreadable gold', () => {
    const answers = [
      { itemId: 'g1', answer: 'cat', gold: 'cat' },
      { itemId: 'g2', answer: 'dog', gold: 'cat' },
      { itemId: 'g3', answer: 'cat', gold: null },
    ];
    expect(scoreGold({ kind: 'SINGLE_CHOICE', answers })).toEqual({ correct: 1, total: 2 });
    expect(scoreGold({ kind: 'SINGLE_CHOICE', answers: [] })).toEqual({ correct: 0, total: 0 });
  });
});
