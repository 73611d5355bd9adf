// Gold gaming: a worker who knows the gold answers (found by comparing wallets, or leaked) scores
// far better on gold than on the regular items everybody else labels. The statistic compares
// the worker's gold accuracy with their agreement with the final consensus on regular items,
// both smoothed (Beta(1, 1)), and uses the LOWER one-sided 99% confidence bound of the gap, so
// a handful of lucky answers never flags anyone. An honest worker's two numbers differ by what
// consensus errors cost them (a strong worker agrees with a 90%-accurate consensus about 0.8-0.9
// of the time while scoring 0.9+ on gold: a gap near 0.1), an honest weak one scores low on
// both; a worker who answers gold right and regular items at random shows a gap of 0.5 or more.
// Pure: counts in, decision out.

export interface GoldGamingInput {
  goldCorrect: number;
  goldSeen: number;
  regularAgreed: number;
  regularCompared: number;
  /** Lower bound of the gap above which the worker is flagged. */
  flagGap: number;
  /** Lower bound of the gap above which the worker gets no more tasks on the dataset. */
  blockGap: number;
}

export interface GoldGamingResult {
  suspected: boolean;
  block: boolean;
  /** Smoothed gold accuracy minus smoothed regular agreement; null without enough evidence. */
  gap: number | null;
}

const Z_99 = 2.326;
export const GAMING_MIN_GOLD = 10;
export const GAMING_MIN_REGULAR = 20;

export function goldGaming(input: GoldGamingInput): GoldGamingResult {
  if (input.goldSeen < GAMING_MIN_GOLD || input.regularCompared < GAMING_MIN_REGULAR)
    return { suspected: false, block: false, gap: null };
  const g = (input.goldCorrect + 1) / (input.goldSeen + 2);
  const r = (input.regularAgreed + 1) / (input.regularCompared + 2);
  const gap = g - r;
  const se = Math.sqrt((g * (1 - g)) / input.goldSeen + (r * (1 - r)) / input.regularCompared);
  const lower = gap - Z_99 * se;
  return { suspected: lower >= input.flagGap, block: lower >= input.blockGap, gap };
}

/**
 * Blocked on a dataset for knowing its gold: such a worker passes gold by definition, so gold says
 * nothing about their work there, and neither a verdict nor a gold re-score passes it
 * (`knowsGold` of quality/verdict-rule.ts decideVerdict).
 */
export function isGamingBlock(stats: { blocked: boolean; blockReason: string | null }): boolean {
  return stats.blocked && stats.blockReason === 'GOLD_GAMING';
}
