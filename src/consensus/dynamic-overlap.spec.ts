import { decideOverlap, type OverlapDecision, type OverlapInput } from './dynamic-overlap';

const base = { answersPerItem: 3, maxAnswersPerItem: 7, targetConfidence: 0.9 };

describe('decideOverlap', () => {
  it.each<[string, OverlapInput, OverlapDecision]>([
    ['below the minimum, even when confident', { ...base, answers: 2, confidence: 1 }, 'NEED_MORE'],
    ['at the minimum and confident', { ...base, answers: 3, confidence: 0.95 }, 'DONE'],
    ['exactly at target counts as reached', { ...base, answers: 3, confidence: 0.9 }, 'DONE'],
    ['at the minimum but unsure', { ...base, answers: 3, confidence: 0.6 }, 'NEED_MORE'],
    ['one below the ceiling and unsure', { ...base, answers: 6, confidence: 0.6 }, 'NEED_MORE'],
    ['at the ceiling and unsure', { ...base, answers: 7, confidence: 0.6 }, 'LOW_AGREEMENT'],
    ['at the ceiling and confident', { ...base, answers: 7, confidence: 0.99 }, 'DONE'],
    ['over the ceiling (late answers) and unsure', { ...base, answers: 8, confidence: 0.5 }, 'LOW_AGREEMENT'],
    ['NaN confidence never reaches the target', { ...base, answers: 7, confidence: NaN }, 'LOW_AGREEMENT'],
    ['no target: fixed overlap is done at the minimum', { answers: 3, confidence: 0.1, answersPerItem: 3 }, 'DONE'],
    [
      'null target behaves the same',
      { answers: 3, confidence: 0.1, answersPerItem: 3, targetConfidence: null },
      'DONE',
    ],
    [
      'ceiling defaults to the minimum',
      { answers: 3, confidence: 0.1, answersPerItem: 3, targetConfidence: 0.9 },
      'LOW_AGREEMENT',
    ],
  ])('%s', (_name, input, expected) => {
    expect(decideOverlap(input)).toBe(expected);
  });

  // A tie is never DONE, target or not: one more answer below the ceiling, review at it.
  const fixed = { answersPerItem: 2, confidence: 0.5, tied: true };
  it.each<[string, OverlapInput, OverlapDecision]>([
    ['tied, no target, fixed overlap', { ...fixed, answers: 2 }, 'LOW_AGREEMENT'],
    ['tied, no target, below the ceiling', { ...fixed, answers: 2, maxAnswersPerItem: 3 }, 'NEED_MORE'],
    ['tied, no target, at the ceiling', { ...fixed, answers: 3, maxAnswersPerItem: 3 }, 'LOW_AGREEMENT'],
    ['tied but still below the minimum', { ...fixed, answers: 1, maxAnswersPerItem: 3 }, 'NEED_MORE'],
    ['tied above the target, below the ceiling', { ...base, answers: 4, confidence: 0.95, tied: true }, 'NEED_MORE'],
    ['tied above the target, at the ceiling', { ...base, answers: 7, confidence: 0.95, tied: true }, 'LOW_AGREEMENT'],
    ['not tied, no target: done as before', { ...fixed, answers: 2, maxAnswersPerItem: 3, tied: false }, 'DONE'],
    ['not tied, above the target: done as before', { ...base, answers: 3, confidence: 0.95, tied: false }, 'DONE'],
  ])('%s', (_name, input, expected) => {
    expect(decideOverlap(input)).toBe(expected);
  });

  it.each<[string, OverlapInput]>([
    ['zero answersPerItem', { answers: 0, confidence: 0, answersPerItem: 0 }],
    ['a ceiling below the minimum', { answers: 0, confidence: 0, answersPerItem: 3, maxAnswersPerItem: 2 }],
  ])('rejects %s', (_name, input) => {
    expect(() => decideOverlap(input)).toThrow(RangeError);
  });
});
