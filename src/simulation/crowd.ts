import { pick, shuffle, type Random } from './random';
import type { WorkerKind } from './report';

// The simulated crowd: items with a truth, and labelers who answer them the way their kind does.
// Pure: plain data and seeded randomness, no I/O.

export interface SimItem {
  /** Opaque reference carried in the payload: the simulation's only way to know an item. */
  ref: string;
  truth: string;
  gold: boolean;
}

export interface LabelerModel {
  name: string;
  kind: WorkerKind;
  /** Chance to give back a claimed task unanswered, and to leave it to expire. */
  releaseRate: number;
  abandonRate: number;
  /** Appeals its rejections. */
  appeals: boolean;
  answer(ref: string, truth: string, classes: readonly string[], random: Random): string;
}

/** Correct with probability `accuracy`, else one of the other classes at random. */
function noisy(accuracy: number) {
  return (_ref: string, truth: string, classes: readonly string[], random: Random): string =>
    random() < accuracy
      ? truth
      : pick(
          random,
          classes.filter((c) => c !== truth),
        );
}

/**
 * Colluding wallets: one answers honestly and shares; the others copy what the ring knows and
 * answer at random otherwise, and claim-and-release often to fish for gold.
 */
export class CollusionRing {
  private readonly known = new Map<string, string>();
  share(ref: string, label: string): void {
    this.known.set(ref, label);
  }
  recall(ref: string): string | undefined {
    return this.known.get(ref);
  }
}

export function labelerModel(kind: WorkerKind, index: number, random: Random, ring: CollusionRing): LabelerModel {
  const name = `${kind}-${String(index).padStart(2, '0')}`;
  switch (kind) {
    case 'good':
      return { name, kind, releaseRate: 0.03, abandonRate: 0.01, appeals: true, answer: noisy(0.85 + random() * 0.1) };
    case 'careless':
      return { name, kind, releaseRate: 0.05, abandonRate: 0.03, appeals: false, answer: noisy(0.55 + random() * 0.1) };
    case 'spammer':
      return {
        name,
        kind,
        releaseRate: 0,
        abandonRate: 0,
        appeals: false,
        answer: (_ref, _truth, classes, r) => pick(r, classes),
      };
    case 'adversarial':
      return {
        name,
        kind,
        releaseRate: 0,
        abandonRate: 0,
        appeals: true,
        answer: (_ref, _truth, classes) => classes[0],
      };
    case 'colluding': {
      const leader = index === 0;
      const honest = noisy(0.9);
      return {
        name,
        kind,
        releaseRate: leader ? 0.05 : 0.3,
        abandonRate: 0,
        appeals: true,
        answer: (ref, truth, classes, r) => {
          if (leader) {
            const label = honest(ref, truth, classes, r);
            ring.share(ref, label);
            return label;
          }
          return ring.recall(ref) ?? pick(r, classes);
        },
      };
    }
  }
}

/** How many labelers of each kind: largest remainders, so the counts add up to `workers`. */
export function kindCounts(workers: number, mix: Record<WorkerKind, number>): [WorkerKind, number][] {
  const entries = Object.entries(mix) as [WorkerKind, number][];
  const exact = entries.map(([k, share]) => [k, share * workers] as const);
  const counts = exact.map(([k, x]) => [k, Math.floor(x)] as [WorkerKind, number]);
  let left = workers - counts.reduce((s, [, n]) => s + n, 0);
  const byRemainder = exact.map(([, x], i) => [i, x - Math.floor(x)] as const).sort((a, b) => b[1] - a[1]);
  for (const [i] of byRemainder) {
    if (left-- <= 0) break;
    counts[i][1]++;
  }
  return counts.filter(([, n]) => n > 0);
}

/**
 * Gold items a run needs so no labeler runs out of unseen gold before the work is done (the
 * product refuses a claim then: NO_GOLD_LEFT): the gold share, but at least three times the
 * tasks an average labeler takes, and enough that the exposure cap (2 × maxAnswersPerItem per
 * gold item, the default) covers every task twice over — rejected, released and expired
 * assignments use up their gold too, and a weak crowd has many.
 */
export function goldNeeded(params: {
  items: number;
  workers: number;
  goldShare: number;
  maxAnswersPerItem: number;
  itemsPerTask: number;
}): number {
  const tasks = Math.ceil((params.items * params.maxAnswersPerItem) / params.itemsPerTask);
  return Math.max(
    Math.ceil(params.items * params.goldShare),
    Math.ceil((3 * tasks) / params.workers),
    Math.ceil(tasks / params.maxAnswersPerItem) + 1,
  );
}

export function syntheticCrowd(params: {
  items: number;
  workers: number;
  mix: Record<WorkerKind, number>;
  classes: string[];
  goldShare: number;
  maxAnswersPerItem: number;
  itemsPerTask: number;
  random: Random;
}): { items: SimItem[]; labelers: LabelerModel[] } {
  const { random, classes } = params;
  const goldCount = goldNeeded(params);
  const total = params.items + goldCount;
  const items = shuffle(
    random,
    Array.from({ length: total }, (_, i) => ({ gold: i < goldCount, truth: pick(random, classes) })),
  ).map((item, i) => ({ ...item, ref: `item-${i + 1}` }));
  const ring = new CollusionRing();
  const labelers: LabelerModel[] = [];
  for (const [kind, count] of kindCounts(params.workers, params.mix))
    for (let i = 0; i < count; i++) labelers.push(labelerModel(kind, i, random, ring));
  return { items, labelers };
}
