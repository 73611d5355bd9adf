import { formatTokenAmount } from '../common/money';
import type { LabelerModel, SimItem } from './crowd';
import type { SubmittedAnswer } from './ledger-of-run';
import type { Random } from './random';
import type { DisputeCount, KindReport, LabelerReport } from './report';
import { WORKER_KINDS } from './report';

// The pure parts of the report: accuracy against the truth, majority vote over the same answers,
// answers bought per item, per-kind figures. Plain data in, report sections out.

/** Majority vote per item over `answers`; ties broken at random (seeded). */
export function majorityVote(answers: readonly SubmittedAnswer[], random: Random): Map<string, string> {
  const votes = new Map<string, Map<string, number>>();
  for (const a of answers) {
    const counts = votes.get(a.ref) ?? new Map<string, number>();
    counts.set(a.label, (counts.get(a.label) ?? 0) + 1);
    votes.set(a.ref, counts);
  }
  const out = new Map<string, string>();
  for (const [ref, counts] of votes) {
    const top = Math.max(...counts.values());
    const tied = [...counts].filter(([, n]) => n === top).map(([label]) => label);
    out.set(ref, tied[Math.floor(random() * tied.length)]);
  }
  return out;
}

/** Share of `items` whose label in `labels` equals the truth (a missing label counts as wrong). */
export function accuracyOf(items: readonly SimItem[], labels: ReadonlyMap<string, unknown>): number {
  if (items.length === 0) return 0;
  return items.filter((i) => labels.get(i.ref) === i.truth).length / items.length;
}

export function overlapOf(answersPerItem: readonly number[]): {
  mean: number;
  min: number;
  max: number;
  histogram: { answers: number; items: number }[];
} {
  if (answersPerItem.length === 0) return { mean: 0, min: 0, max: 0, histogram: [] };
  const histogram = new Map<number, number>();
  for (const n of answersPerItem) histogram.set(n, (histogram.get(n) ?? 0) + 1);
  return {
    mean: round(answersPerItem.reduce((s, n) => s + n, 0) / answersPerItem.length, 3),
    min: Math.min(...answersPerItem),
    max: Math.max(...answersPerItem),
    histogram: [...histogram].sort((a, b) => a[0] - b[0]).map(([answers, items]) => ({ answers, items })),
  };
}

export function labelerReports(params: {
  labelers: readonly LabelerModel[];
  answers: readonly SubmittedAnswer[];
  refs: ReadonlyMap<string, SimItem>;
  earned: ReadonlyMap<string, bigint>;
  blocked: ReadonlyMap<string, { blocked: boolean; reason: string | null }>;
  blockedAt: ReadonlyMap<string, { t: number }>;
  decimals: number;
}): LabelerReport[] {
  return params.labelers.map((l) => {
    const own = params.answers.filter((a) => a.labeler === l.name);
    const regular = own.filter((a) => params.refs.get(a.ref)?.gold === false);
    const right = regular.filter((a) => params.refs.get(a.ref)?.truth === a.label).length;
    const state = params.blocked.get(l.name);
    return {
      name: l.name,
      kind: l.kind,
      answers: own.length,
      accuracy: regular.length === 0 ? null : round(right / regular.length, 4),
      earned: formatTokenAmount(params.earned.get(l.name) ?? 0n, params.decimals),
      blocked: state?.blocked ?? false,
      blockReason: state?.reason ?? null,
      blockedAt: params.blockedAt.get(l.name)?.t ?? null,
    };
  });
}

export function kindReports(
  labelers: readonly LabelerReport[],
  earned: ReadonlyMap<string, bigint>,
  decimals: number,
): KindReport[] {
  return WORKER_KINDS.map((kind) => {
    const ofKind = labelers.filter((l) => l.kind === kind);
    const withAccuracy = ofKind.filter((l) => l.accuracy !== null);
    const weighted = withAccuracy.reduce((s, l) => s + (l.accuracy ?? 0) * l.answers, 0);
    const weight = withAccuracy.reduce((s, l) => s + l.answers, 0);
    const blockedTimes = ofKind
      .map((l) => l.blockedAt)
      .filter((t): t is number => t !== null)
      .sort((a, b) => a - b);
    return {
      kind,
      labelers: ofKind.length,
      answers: ofKind.reduce((s, l) => s + l.answers, 0),
      accuracy: weight === 0 ? null : round(weighted / weight, 4),
      earned: formatTokenAmount(
        ofKind.reduce((s, l) => s + (earned.get(l.name) ?? 0n), 0n),
        decimals,
      ),
      blocked: ofKind.filter((l) => l.blocked).length,
      medianBlockedAt: blockedTimes.length === 0 ? null : blockedTimes[Math.floor((blockedTimes.length - 1) / 2)],
    };
  }).filter((k) => k.labelers > 0);
}

export function disputeCounts(
  rows: readonly { kind: string; status: string; outcome: string | null }[],
): DisputeCount[] {
  const counts = new Map<string, DisputeCount>();
  for (const r of rows) {
    const outcome = r.outcome ?? r.status;
    const key = `${r.kind}|${outcome}`;
    const c = counts.get(key) ?? { kind: r.kind, outcome, count: 0 };
    c.count++;
    counts.set(key, c);
  }
  return [...counts.values()].sort((a, b) => a.kind.localeCompare(b.kind) || b.count - a.count);
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
