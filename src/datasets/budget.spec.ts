import { availableBudget, disputeReserveOf, requiredBudget, type BudgetInput } from './budget';

const base: BudgetInput = {
  regularItems: 100,
  answersPerItem: 3,
  maxAnswersPerItem: 3,
  itemsPerTask: 10,
  goldPerTask: 0,
  rewardPerAnswer: 1n,
};

describe('requiredBudget', () => {
  it.each<
    [
      string,
      Partial<BudgetInput>,
      { tasks: bigint; regular: bigint; gold: bigint; headroom: bigint; headroomGold: bigint; required: bigint },
    ]
  >([
    ['plain overlap', {}, { tasks: 10n, regular: 300n, gold: 0n, headroom: 0n, headroomGold: 0n, required: 300n }],
    [
      'gold in every assignment',
      { goldPerTask: 2 },
      { tasks: 10n, regular: 300n, gold: 60n, headroom: 0n, headroomGold: 0n, required: 360n },
    ],
    [
      'partial last task counts as a task',
      { regularItems: 101 },
      { tasks: 11n, regular: 303n, gold: 0n, headroom: 0n, headroomGold: 0n, required: 303n },
    ],
    [
      'partial last task carries gold too',
      { regularItems: 101, goldPerTask: 1 },
      { tasks: 11n, regular: 303n, gold: 33n, headroom: 0n, headroomGold: 0n, required: 336n },
    ],
    [
      'dynamic overlap headroom',
      { maxAnswersPerItem: 5 },
      { tasks: 10n, regular: 300n, gold: 0n, headroom: 200n, headroomGold: 0n, required: 500n },
    ],
    [
      'headroom with gold',
      { maxAnswersPerItem: 5, goldPerTask: 1 },
      { tasks: 10n, regular: 300n, gold: 30n, headroom: 200n, headroomGold: 20n, required: 550n },
    ],
    [
      'reward multiplies everything',
      { maxAnswersPerItem: 4, goldPerTask: 1, rewardPerAnswer: 10n ** 18n },
      { tasks: 10n, regular: 300n, gold: 30n, headroom: 100n, headroomGold: 10n, required: 440n * 10n ** 18n },
    ],
    [
      'one item, one answer',
      { regularItems: 1, answersPerItem: 1, maxAnswersPerItem: 1, itemsPerTask: 1000 },
      { tasks: 1n, regular: 1n, gold: 0n, headroom: 0n, headroomGold: 0n, required: 1n },
    ],
    [
      'no regular items',
      { regularItems: 0, goldPerTask: 3 },
      { tasks: 0n, regular: 0n, gold: 0n, headroom: 0n, headroomGold: 0n, required: 0n },
    ],
    [
      'a million items',
      {
        regularItems: 1_000_000,
        itemsPerTask: 7,
        goldPerTask: 2,
        maxAnswersPerItem: 6,
        rewardPerAnswer: 5n * 10n ** 16n,
      },
      {
        tasks: 142858n,
        regular: 3_000_000n,
        gold: 857_148n,
        headroom: 3_000_000n,
        headroomGold: 857_148n,
        required: 7_714_296n * 5n * 10n ** 16n,
      },
    ],
  ])('%s', (_name, override, expected) => {
    const result = requiredBudget({ ...base, ...override });
    expect(result).toMatchObject({
      tasks: expected.tasks,
      regularAnswers: expected.regular,
      goldAnswers: expected.gold,
      headroomAnswers: expected.headroom,
      headroomGoldAnswers: expected.headroomGold,
      required: expected.required,
    });
    expect(result.totalAnswers).toBe(expected.regular + expected.gold + expected.headroom + expected.headroomGold);
  });

  it('equals reward × max × (items + tasks × gold)', () => {
    for (const [items, a, m, t, g] of [
      [37, 2, 5, 4, 3],
      [1000, 1, 1, 1000, 0],
      [999, 3, 7, 10, 1],
    ]) {
      const r = requiredBudget({
        regularItems: items,
        answersPerItem: a,
        maxAnswersPerItem: m,
        itemsPerTask: t,
        goldPerTask: g,
        rewardPerAnswer: 7n,
      });
      expect(r.required).toBe(7n * BigInt(m) * (BigInt(items) + r.tasks * BigInt(g)));
    }
  });

  it.each<[string, Partial<BudgetInput>]>([
    ['max below answersPerItem', { maxAnswersPerItem: 2 }],
    ['zero itemsPerTask', { itemsPerTask: 0 }],
    ['fractional items', { regularItems: 1.5 }],
    ['negative gold', { goldPerTask: -1 }],
    ['negative reward', { rewardPerAnswer: -1n }],
  ])('refuses %s', (_name, override) => {
    expect(() => requiredBudget({ ...base, ...override })).toThrow(RangeError);
  });
});

describe('availableBudget', () => {
  it.each([
    [100n, 0n, 0n, 100n],
    [100n, 30n, 20n, 50n],
    [100n, 60n, 40n, 0n],
    [100n, 80n, 40n, 0n],
  ])('budget %p committed %p spent %p -> %p', (budget, committed, spent, expected) => {
    expect(availableBudget({ budget, committed, spent })).toBe(expected);
  });
});

describe('disputeReserveOf', () => {
  it.each([
    [1000n, 10, 100n],
    [165n * 10n ** 18n, 10, 165n * 10n ** 17n],
    [999n, 10, 99n], // rounded down to the base unit
    [5n, 0, 0n],
    [7n, 100, 7n],
  ])('%s × %i%% → %s', (labelingCost, percent, reserve) => {
    expect(disputeReserveOf({ labelingCost, percent })).toBe(reserve);
  });
});
