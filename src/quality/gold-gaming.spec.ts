import { goldGaming, isGamingBlock } from './gold-gaming';

const gaps = { flagGap: 0.3, blockGap: 0.5 };

describe('goldGaming', () => {
  it.each([
    // honest strong: 19/20 gold, agrees with consensus on 170 of 200 regular answers (gap ~0.07)
    ['an honest strong worker', { goldCorrect: 19, goldSeen: 20, regularAgreed: 170, regularCompared: 200 }],
    // honest weak: 11/20 gold, 90/200 agreement (gap ~0.1)
    ['an honest weak worker', { goldCorrect: 11, goldSeen: 20, regularAgreed: 90, regularCompared: 200 }],
    // perfect gold but too little evidence to say anything (9 gold answers)
    ['a worker with too few gold answers', { goldCorrect: 9, goldSeen: 9, regularAgreed: 0, regularCompared: 200 }],
    // perfect gold, 19 regular answers compared: below the minimum
    ['a worker with too few regular answers', { goldCorrect: 30, goldSeen: 30, regularAgreed: 0, regularCompared: 19 }],
  ])('does not flag %s', (_name, counts) => {
    expect(goldGaming({ ...counts, ...gaps })).toMatchObject({ suspected: false, block: false });
  });

  it('flags without blocking a worker whose gold is clearly better than their regular work', () => {
    // g = 11/12 = 0.917, r = 13/42 = 0.310, se = sqrt(.917*.083/10 + .310*.690/40) = 0.113,
    // lower bound = 0.607 - 2.326*0.113 = 0.344: above 0.3, below 0.5.
    const result = goldGaming({ goldCorrect: 10, goldSeen: 10, regularAgreed: 12, regularCompared: 40, ...gaps });
    expect(result.suspected).toBe(true);
    expect(result.block).toBe(false);
    expect(result.gap).toBeCloseTo(11 / 12 - 13 / 42, 10);
  });

  it('blocks a worker who answers gold right and regular items at random, given enough evidence', () => {
    // g = 41/42 = 0.976, r = 51/202 = 0.252, se = sqrt(.976*.024/40 + .252*.748/200) = 0.0400,
    // lower bound = 0.724 - 0.093 = 0.631 >= 0.5.
    expect(
      goldGaming({ goldCorrect: 40, goldSeen: 40, regularAgreed: 50, regularCompared: 200, ...gaps }),
    ).toMatchObject({ suspected: true, block: true });
  });
});

describe('isGamingBlock', () => {
  it.each([
    [{ blocked: true, blockReason: 'GOLD_GAMING' }, true],
    [{ blocked: true, blockReason: 'GOLD_ACCURACY' }, false],
    // A lifted block keeps no reason in force.
    [{ blocked: false, blockReason: 'GOLD_GAMING' }, false],
    [{ blocked: false, blockReason: null }, false],
  ])('%o → %s', (stats, expected) => {
    expect(isGamingBlock(stats)).toBe(expected);
  });
});
