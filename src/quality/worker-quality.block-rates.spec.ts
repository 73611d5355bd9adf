import { workerQuality } from './worker-quality';

// The numbers behind the block rule's choice (the table in worker-quality.ts): the probability
// that a worker of a given true accuracy is ever blocked on a dataset with bar 0.6 when the block is
// re-checked every 3 gold answers (VERDICT_MIN_GOLD) up to 30, with the floor of 5. Computed
// exactly: a distribution over (gold seen, gold correct) advanced 3 answers at a time, removing the
// mass that a check blocks.

type BlockRule = (correct: number, seen: number) => boolean;

const BAR = 0.6;
const STEP = 3;
const MAX_GOLD = 30;

function binomialPmf(n: number, k: number, p: number): number {
  let coefficient = 1;
  for (let i = 0; i < k; i++) coefficient = (coefficient * (n - i)) / (i + 1);
  return coefficient * p ** k * (1 - p) ** (n - k);
}

function everBlocked(rule: BlockRule, accuracy: number): { probability: number; medianGold: number | null } {
  // byCorrect[k]: probability of k correct so far and not blocked yet.
  let byCorrect = [1];
  let probability = 0;
  let medianGold: number | null = null;
  for (let seen = STEP; seen <= MAX_GOLD; seen += STEP) {
    const next = new Array<number>(seen + 1).fill(0);
    byCorrect.forEach((mass, k) => {
      for (let j = 0; j <= STEP; j++) next[k + j] += mass * binomialPmf(STEP, j, accuracy);
    });
    next.forEach((mass, k) => {
      if (!rule(k, seen)) return;
      probability += mass;
      next[k] = 0;
    });
    if (medianGold === null && probability >= 0.5) medianGold = seen;
    byCorrect = next;
  }
  return { probability, medianGold };
}

const currentRule: BlockRule = (goldCorrect, goldSeen) =>
  workerQuality({ goldCorrect, goldSeen, minGoldAccuracy: BAR, minGoldAnswers: 5 }).block;

// The rule before: the point estimate (correct + 1 + bar) / (seen + 2) under the bar.
const pointEstimateRule: BlockRule = (correct, seen) => seen >= 5 && (correct + 1 + BAR) / (seen + 2) < BAR;

describe('probability of ever being blocked (bar 0.6, checks every 3 gold up to 30)', () => {
  it.each([
    // true accuracy, point estimate (before), this rule
    [0.95, 0.00224, 0.0000018],
    [0.9, 0.0162, 0.000056],
    [0.87, 0.0338, 0.00021],
    [0.8, 0.114, 0.0018],
    [0.7, 0.354, 0.017],
    [0.6, 0.69, 0.105],
    [0.5, 0.923, 0.386],
    [1 / 3, 0.999, 0.931],
  ])('accuracy %p: %p before, %p now', (accuracy, before, now) => {
    const relative = (actual: number, expected: number) => Math.abs(actual - expected) / expected;
    expect(relative(everBlocked(pointEstimateRule, accuracy).probability, before)).toBeLessThan(0.02);
    expect(relative(everBlocked(currentRule, accuracy).probability, now)).toBeLessThan(0.02);
  });

  it('holds an honest 85–95% worker under 1 in 1000, where the point estimate blocked 1 in 60 at 90%', () => {
    for (const accuracy of [0.85, 0.9, 0.95])
      expect(everBlocked(currentRule, accuracy).probability).toBeLessThan(0.001);
  });

  it('still blocks a spammer, after a median of 12 gold instead of 6', () => {
    expect(everBlocked(pointEstimateRule, 1 / 3).medianGold).toBe(6);
    expect(everBlocked(currentRule, 1 / 3).medianGold).toBe(12);
  });
});
