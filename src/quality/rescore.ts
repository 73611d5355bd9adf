import { scoreAssignments, type AssignmentGold, type AssignmentGoldScore } from './gold-scoring';
import { decideVerdict } from './verdict-rule';

// Re-deciding a worker's verdicts on a dataset after a gold item changed (a reviewer corrected or
// retired it), with the same pure functions that decided them: every decided assignment is
// re-scored on the gold labels as they are now, then the batches are replayed in verdict order,
// each on the record the worker had when it was decided. A REJECTED batch that would now be
// ACCEPTED "now passes"; an ACCEPTED one that would now fail stays ACCEPTED (approval is final,
// so the replay never takes anything back). Pure: answers in, decisions out.

export interface DecidedAssignment extends AssignmentGold {
  status: 'ACCEPTED' | 'REJECTED';
  /** Assignments decided together share their verdict time: that is how batches are found. */
  verdictAt: Date;
}

export interface RescoredWorker {
  /** Every assignment's gold score on the current labels, in the order given. */
  scores: AssignmentGoldScore[];
  /** REJECTED assignments whose batch passes on the current labels. */
  nowPassing: string[];
  /** The worker's recent gold record rebuilt on the current labels (worker_stats.recent_gold). */
  recentGold: boolean[];
  goldSeen: number;
  goldCorrect: number;
}

/** `decided` in verdict order (verdict time, then the order the batch was decided in). */
export function rescoreWorker(params: {
  kind: string;
  decided: readonly DecidedAssignment[];
  window: number;
  minGoldAccuracy: number | null;
  /** Blocked for knowing the gold: nothing of theirs passes (decideVerdict). */
  knowsGold: boolean;
}): RescoredWorker {
  const scores = scoreAssignments(params.kind, params.decided);
  const nowPassing: string[] = [];
  let recentGold: boolean[] = [];
  for (let from = 0; from < params.decided.length; ) {
    let to = from + 1;
    while (
      to < params.decided.length &&
      params.decided[to].verdictAt.getTime() === params.decided[from].verdictAt.getTime()
    )
      to++;
    const decision = decideVerdict({
      pending: scores.slice(from, to),
      recentGold,
      minGoldAccuracy: params.minGoldAccuracy,
      window: params.window,
      knowsGold: params.knowsGold,
    });
    recentGold = decision.recentGold;
    if (decision.verdict === 'ACCEPTED') {
      for (let i = from; i < to; i++)
        if (params.decided[i].status === 'REJECTED') nowPassing.push(params.decided[i].id);
    }
    from = to;
  }
  return {
    scores,
    nowPassing,
    recentGold,
    goldSeen: scores.reduce((n, s) => n + s.goldTotal, 0),
    goldCorrect: scores.reduce((n, s) => n + s.goldCorrect, 0),
  };
}
