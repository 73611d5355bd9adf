import { logOddsWeight, smoothedGoldAccuracy, type GoldAccuracyInput } from './gold-accuracy';

describe('smoothedGoldAccuracy', () => {
  it.each<[string, GoldAccuracyInput, number]>([
    ['no evidence gives the prior mean', { correct: 0, seen: 0 }, 0.5],
    ['one right answer is not 100%', { correct: 1, seen: 1 }, 2 / 3],
    ['one wrong answer is not 0%', { correct: 0, seen: 1 }, 1 / 3],
    ['evidence dominates the prior', { correct: 90, seen: 100 }, 91 / 102],
    ['an informative prior', { correct: 0, seen: 0, priorAlpha: 8, priorBeta: 2 }, 0.8],
    ['an informative prior shrinks a short streak', { correct: 2, seen: 2, priorAlpha: 8, priorBeta: 2 }, 10 / 12],
  ])('%s', (_name, input, expected) => {
    expect(smoothedGoldAccuracy(input)).toBeCloseTo(expected, 12);
  });

  it.each<[string, GoldAccuracyInput]>([
    ['more correct than seen', { correct: 3, seen: 2 }],
    ['negative counts', { correct: -1, seen: 2 }],
    ['a zero prior', { correct: 0, seen: 0, priorAlpha: 0 }],
  ])('rejects %s', (_name, input) => {
    expect(() => smoothedGoldAccuracy(input)).toThrow(RangeError);
  });
});

describe('logOddsWeight', () => {
  it.each<[number, number, number]>([
    [0.5, 2, 0],
    [0.9, 2, Math.log(9)],
    [0.25, 4, 0],
    [0.5, 3, Math.log(2)],
    [0.1, 2, -Math.log(9)],
    [0.7, 1, 0],
  ])('accuracy %p with %p classes -> %p', (accuracy, numClasses, expected) => {
    expect(logOddsWeight({ accuracy, numClasses })).toBeCloseTo(expected, 12);
  });

  it.each([0, 1])('stays finite at accuracy %p', (accuracy) => {
    expect(Number.isFinite(logOddsWeight({ accuracy, numClasses: 2 }))).toBe(true);
  });
});
