import { appealOpen, appealWindowOver } from './appeal-window';

const at = (s: number): Date => new Date(Date.UTC(2026, 10, 28) + s * 1000);

describe('appealOpen', () => {
  it.each([
    // verdict at 0, window, now → open
    [0, 60, 0, true],
    [0, 60, 59, true],
    [0, 60, 60, false],
    [0, 60, 3600, false],
    [0, 0, 0, false],
    [100, 604800, 604899, true],
  ])('verdict at %is, window %is, asked at %is → %s', (verdict, window, now, open) => {
    expect(appealOpen({ verdictAt: at(verdict), appealWindowSeconds: window, now: at(now) })).toBe(open);
  });
});

describe('appealWindowOver', () => {
  it.each([
    [null, 60, 0, true],
    [0, 60, 59, false],
    [0, 60, 60, true],
    [10, 0, 10, true],
  ])('last verdict at %s, window %is, now %is → over %s', (last, window, now, over) => {
    expect(
      appealWindowOver({ lastVerdictAt: last === null ? null : at(last), appealWindowSeconds: window, now: at(now) }),
    ).toBe(over);
  });
});
