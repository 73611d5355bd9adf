import { assignmentVerdict, workerQuality } from './worker-quality';

describe('assignmentVerdict', () => {
  it.each([
    [2, 2, 0.8, 'ACCEPTED'],
    [1, 2, 0.5, 'ACCEPTED'],
    [1, 2, 0.8, 'REJECTED'],
    [0, 1, 0.01, 'REJECTED'],
    [0, 0, 0.8, 'ACCEPTED'],
    [0, 3, null, 'ACCEPTED'],
  ])('%i of %i correct with bar %p: %s', (goldCorrect, goldTotal, minGoldAccuracy, expected) => {
    expect(assignmentVerdict({ goldCorrect, goldTotal, minGoldAccuracy })).toBe(expected);
  });
});

describe('workerQuality', () => {
  it.each([
    // correct, seen, bar, min answers, block
    [5, 5, 0.9, 5, false], // flawless is never blocked, even under a high bar
    [50, 50, 0.99, 5, false],
    [3, 5, 0.8, 5, true],
    [4, 5, 0.8, 5, false], // exactly at the bar
    [0, 4, 0.8, 5, false], // not enough gold yet
    [0, 5, 0.8, 5, true],
    [7, 10, 0.8, 5, true],
    [15, 20, 0.8, 5, true],
    [19, 20, 1, 5, true], // a bar of 1 forgives nothing
    [20, 20, 1, 5, false],
    [0, 10, 0, 5, false],
    [0, 10, null, 5, false],
  ])('%i of %i, bar %p after %i gold: block %p', (goldCorrect, goldSeen, minGoldAccuracy, minGoldAnswers, block) => {
    expect(workerQuality({ goldCorrect, goldSeen, minGoldAccuracy, minGoldAnswers }).block).toBe(block);
  });

  it.each([
    [0, 0, null],
    [1, 1, 2 / 3],
    [3, 4, 4 / 6],
  ])('estimates %i of %i as %p (Beta(1,1) smoothing)', (goldCorrect, goldSeen, expected) => {
    const { estimatedAccuracy } = workerQuality({ goldCorrect, goldSeen, minGoldAccuracy: 0.5, minGoldAnswers: 1 });
    if (expected === null) expect(estimatedAccuracy).toBeNull();
    else expect(estimatedAccuracy).toBeCloseTo(expected, 12);
  });
});
