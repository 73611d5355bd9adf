import { goldContestSignal, trustedAccuracy } from './gold-contest';

const workers = (n: number, misses: number, accuracy = 0.9) =>
  Array.from({ length: n }, (_, i) => ({ correct: i >= misses, accuracy }));

describe('trustedAccuracy', () => {
  it.each([
    [9, 9, null], // too few compared answers
    [10, 10, 11 / 12],
    [8, 10, null], // 9/12 = 0.75 < 0.8
    [9, 10, 10 / 12],
  ])('%i of %i agreed → %s', (agreed, compared, expected) => {
    expect(trustedAccuracy({ regularAgreed: agreed, regularCompared: compared })).toBe(expected);
  });
});

describe('goldContestSignal', () => {
  it.each([
    // answers, misses, contest; p-values by hand (accuracy 0.9: miss probability 0.1)
    [5, 5, true, 1e-5],
    [5, 3, true, 10 * 0.001 * 0.81 + 5 * 0.0001 * 0.9 + 0.00001],
    [5, 2, false, null], // fewer than half missed
    [4, 4, false, 1e-4], // too few trusted answers
    [10, 5, true, null],
  ])('%i trusted answers, %i misses → contest %s', (n, misses, contest, p) => {
    const signal = goldContestSignal(workers(n, misses));
    expect(signal).toMatchObject({ contest, answers: n, misses });
    if (p !== null) expect(signal.pValue).toBeCloseTo(p, 10);
  });

  it('does not contest when the misses are what weak-but-trusted workers would produce', () => {
    // Accuracy 0.8 → miss probability 0.2: 3 of 6 missing has P ≈ 0.099, not unusual enough.
    const signal = goldContestSignal(workers(6, 3, 0.8));
    expect(signal.contest).toBe(false);
    expect(signal.pValue).toBeCloseTo(0.09888, 4);
  });
});
