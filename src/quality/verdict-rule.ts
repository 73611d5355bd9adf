// Verdicts are decided per worker, in batches, on the worker's recent gold record on a dataset —
// never on one assignment's gold alone — so that ACCEPTED / REJECTED right after a submit cannot
// be read as "my answer to that one gold item was right". Pure: counts in, verdict out.

export type Verdict = 'ACCEPTED' | 'REJECTED';

export interface PendingGold {
  goldCorrect: number;
  goldTotal: number;
}

export interface VerdictDecision {
  verdict: Verdict;
  /** The record to keep: the last `window` decided gold answers, newest last. */
  recentGold: boolean[];
  /** Gold answers and correct ones the decision looked at. */
  windowCorrect: number;
  windowTotal: number;
}

// One verdict for every pending submission of the batch: the share of correct answers over the
// worker's pending gold answers plus, to fill a window of `window` answers, their latest decided
// ones. Under the dataset's bar → every pending submission is REJECTED; otherwise ACCEPTED. No
// bar, or no gold at all in the window, leaves nothing to hold against the worker. A worker blocked
// for knowing the gold (`knowsGold`, quality/gold-gaming.ts isGamingBlock) passes gold by
// definition, so gold says nothing about their work: always REJECTED (the record still moves).
export function decideVerdict(params: {
  pending: readonly PendingGold[];
  recentGold: readonly boolean[];
  minGoldAccuracy: number | null;
  window: number;
  knowsGold: boolean;
}): VerdictDecision {
  const fresh: boolean[] = [];
  for (const p of params.pending) {
    // Order inside one assignment carries no information: its correct answers first.
    for (let i = 0; i < p.goldTotal; i++) fresh.push(i < p.goldCorrect);
  }
  const fill = Math.max(0, params.window - fresh.length);
  const windowAnswers = [...params.recentGold.slice(Math.max(0, params.recentGold.length - fill)), ...fresh];
  const windowCorrect = windowAnswers.filter(Boolean).length;
  const windowTotal = windowAnswers.length;
  const recentGold = [...params.recentGold, ...fresh].slice(-params.window);
  const failing =
    params.minGoldAccuracy !== null && windowTotal > 0 && windowCorrect / windowTotal < params.minGoldAccuracy;
  return { verdict: failing || params.knowsGold ? 'REJECTED' : 'ACCEPTED', recentGold, windowCorrect, windowTotal };
}

// Whether a worker's pending submissions on a dataset may be decided now: once they hold enough
// gold answers to say something about the worker rather than one item, or once the oldest has
// waited long enough (a worker who stops after one task is still decided), or at once where a
// verdict cannot reveal gold (no gold, or no bar). submit_assignment (SQL) requests a verdict by the
// same rule when a submission makes a batch due, once per batch (migration SubmitInOneCall).
export function verdictDue(params: {
  pendingGold: number;
  minGold: number;
  oldestSubmittedAt: Date | null;
  now: Date;
  maxDelaySeconds: number;
  goldPerTask: number;
  minGoldAccuracy: number | null;
}): boolean {
  if (params.goldPerTask === 0 || params.minGoldAccuracy === null) return true;
  if (params.pendingGold >= params.minGold) return true;
  if (params.oldestSubmittedAt === null) return false;
  return params.now.getTime() - params.oldestSubmittedAt.getTime() >= params.maxDelaySeconds * 1000;
}
