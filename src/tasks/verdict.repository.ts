import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedRowsIn, queryRows } from '../database/query-rows';
import { spendStripes, upsertSpendsSql } from '../datasets/dataset-funds';
import { earningRows, insertCreditsSql, type Earning } from '../ledger/earnings';
import { insertOutboxSql, outboxValues, type OutboxJob } from '../queues/outbox';
import { GOLD_ANSWERS_OF_X } from '../quality/gold-answers.sql';
import type { AssignmentGold, AssignmentGoldScore } from '../quality/gold-scoring';

export interface PendingSubmission extends AssignmentGold {
  taskId: string;
  itemIds: string[];
  goldItemIds: string[];
  /** The gold items shown, as the submit counted them in the worker's pending gold. */
  goldShown: number;
  submittedAt: Date;
}

/** A pending submission with its score on the gold labels as they are at the verdict. */
export type ScoredSubmission = PendingSubmission & AssignmentGoldScore;

export interface VerdictTerms {
  rewardPerAnswer: bigint;
  minGoldAccuracy: number | null;
  goldPerTask: number;
  labelKind: string;
}

/** The worker's record on the dataset, as the verdict's lock found it. */
export interface VerdictState {
  recentGold: boolean[];
  blocked: boolean;
  /** GOLD_ACCURACY or GOLD_GAMING when blocked. */
  blockReason: string | null;
  goldSeen: number;
  goldCorrect: number;
}

/** What a decided batch moves on the worker's stats row. */
export interface DecidedStats {
  decided: number;
  /** The gold items the batch showed, as its submits counted them in pending_gold. */
  goldShown: number;
  goldTotal: number;
  goldCorrect: number;
  recentGold: boolean[];
  /** Block the worker (GOLD_ACCURACY) now; a block already there stays as it is. */
  block: boolean;
}

export interface LockedBatch {
  state: VerdictState;
  terms: VerdictTerms;
  pending: PendingSubmission[];
}

// A verdict is decided in five round trips: BEGIN, the worker's stats row locked with the dataset's
// terms, their pending submissions locked, everything the verdict writes in one statement, COMMIT.
// The writes are data-modifying CTEs none of which reads another's rows except where said. The
// statements are prepared, with plans a few seconds old at most (VERDICT_STATEMENTS below).

// The worker's row on the dataset, locked: verdicts of one worker on one dataset are decided one
// batch at a time. The terms cannot change once the dataset is published.
const LOCK_STATS = `SELECT w.recent_gold, w.blocked, w.block_reason, w.gold_seen, w.gold_correct,
                d.reward_per_answer, d.min_gold_accuracy, d.gold_per_task, d.label_schema->>'kind' AS label_kind
           FROM worker_stats w JOIN datasets d ON d.id = w.dataset_id
          WHERE w.worker_id = $1 AND w.dataset_id = $2
            FOR UPDATE OF w`;

// A worker's pending submissions on a dataset (assignments_in_flight_idx by dataset and worker;
// never the overdue sweep's index of every pending submission, which it cannot use), with their
// gold answers and the gold labels as they are now: gold is scored when the verdict is decided, on
// the labels reviewers may have corrected since the items were shown.
const LOCK_PENDING = `SELECT x.id, x.task_id, x.item_ids, x.gold_item_ids, x.gold_total, x.submitted_at, ${GOLD_ANSWERS_OF_X} AS gold
           FROM assignments x WHERE x.worker_id = $1 AND x.dataset_id = $2 AND x.status = 'SUBMITTED'
          ORDER BY x.submitted_at, x.id FOR UPDATE OF x`;

/** The lock of a worker's pending submissions on a dataset, as lockBatch sends it (tests measure it). */
export function pendingSubmissionsStatement(key: { workerId: string; datasetId: string }): {
  name: string;
  text: string;
  values: unknown[];
} {
  return { ...VERDICT_STATEMENTS.lockPending, values: [key.workerId, key.datasetId] };
}

// The decided batch leaves the pending counters and joins the worker's gold record. The block is
// decided with the verdict (never at submit: a block right after one submit would tell which
// answer was gold) and never lifted here: that is a reviewer's or admin's decision. Placeholders:
// $1 worker, $2 dataset, $3 decided at, $4..$9 the DecidedStats in decidedValues() order.
const DECIDED_STATS = `UPDATE worker_stats SET
     pending = pending - $4, pending_gold = pending_gold - $5,
     gold_seen = gold_seen + $6, gold_correct = gold_correct + $7, recent_gold = $8::boolean[], last_verdict_at = $3,
     blocked = blocked OR $9::boolean,
     block_reason = CASE WHEN $9::boolean AND NOT blocked THEN 'GOLD_ACCURACY' ELSE block_reason END,
     verdict_asked_at = NULL, updated_at = now()
   WHERE worker_id = $1 AND dataset_id = $2`;

// Acceptance counted: the answers count, one more accepted answer on each regular item (rows
// locked in id order, so two verdicts touching one item cannot deadlock) and then one more
// accepted assignment on each task. Placeholders for the worker, the tasks, all items shown and
// the regular ones among them. COUNTED_RESULT says whether some item just reached the answers it
// wants (consensus may aggregate it) and whether some task now has all its accepted assignments.
// This is the one statement that accepts answers: it also adds them to the dataset's progress
// counter (dataset_counts, this backend's row: no other transaction in flight writes it).
function countAcceptedCtes(p: { worker: string; tasks: string; items: string; regularItems: string }): string {
  return `counted_answers AS (
       UPDATE answers SET accepted = true WHERE worker_id = ${p.worker} AND item_id = ANY (${p.items}::uuid[]) AND NOT accepted
       RETURNING dataset_id),
     answers_progress AS (
       INSERT INTO dataset_counts (dataset_id, stripe, accepted_answers)
       SELECT dataset_id, pg_backend_pid(), count(*) FROM counted_answers GROUP BY dataset_id
       ON CONFLICT (dataset_id, stripe) DO UPDATE SET accepted_answers = dataset_counts.accepted_answers + EXCLUDED.accepted_answers),
     locked AS (SELECT id FROM items WHERE id = ANY (${p.regularItems}::uuid[]) ORDER BY id FOR UPDATE),
     counted AS (
       UPDATE items i SET
         answer_count = i.answer_count + 1,
         status = CASE WHEN i.status IN ('PENDING', 'IN_PROGRESS')
                       THEN CASE WHEN i.answer_count + 1 >= i.answers_wanted THEN 'LABELED' ELSE 'IN_PROGRESS' END
                       ELSE i.status END
         FROM locked WHERE i.id = locked.id
       RETURNING i.answer_count, i.answers_wanted),
     -- Reading counted here runs the item updates first: the lock order stays items, then tasks.
     locked_tasks AS (SELECT id FROM tasks WHERE id = ANY (${p.tasks}::uuid[]) AND (SELECT count(*) FROM counted) >= 0 ORDER BY id FOR UPDATE),
     task AS (
       UPDATE tasks t SET accepted_count = t.accepted_count + 1 FROM locked_tasks WHERE t.id = locked_tasks.id
       RETURNING t.accepted_count >= t.slots AS is_full)`;
}

const REACHED_WANTED = 'EXISTS (SELECT 1 FROM counted WHERE answer_count = answers_wanted)';
const COUNTED_RESULT = `SELECT ${REACHED_WANTED} AS reached, coalesce((SELECT bool_or(is_full) FROM task), false) AS full`;

// The decided submissions (ids, correct and total gold answers, in step) get their status and
// score. Found by primary key alone: joined by id, the planner took the pending verdicts' index
// and read every SUBMITTED assignment of every dataset (auto_explain under bench:assign, with
// statistics from before the backlog: 7,527 index entries read for 5 rows, 3.8 of the statement's
// 5.8 ms); and with "status = 'SUBMITTED'" as a plain condition it could still AND the key with a
// scan of all of assignments_in_flight_idx, whose predicate that condition implies (3,468 entries
// for 7 rows, same conditions). "(…) IS TRUE" holds for the same rows and implies no predicate.
function decidedCte(
  status: 'ACCEPTED' | 'REJECTED',
  p: { at: string; ids: string; correct: string; total: string } = {
    at: '$3',
    ids: '$10',
    correct: '$11',
    total: '$12',
  },
): string {
  return `decided AS (
       UPDATE assignments a SET status = '${status}', verdict_at = ${p.at}, gold_correct = s.correct, gold_total = s.total
         FROM unnest(${p.ids}::uuid[], ${p.correct}::int[], ${p.total}::int[]) AS s(id, correct, total)
        WHERE a.id = ANY (${p.ids}::uuid[]) AND a.id = s.id AND (a.status = 'SUBMITTED') IS TRUE RETURNING a.id)`;
}

/** The decided submissions' own update (decidedCte) as a statement, for tests measuring what it reads. */
export function decidedStatement(params: { at: Date; scored: readonly AssignmentGoldScore[] }): {
  text: string;
  values: unknown[];
} {
  return {
    text: `WITH ${decidedCte('ACCEPTED', { at: '$1', ids: '$2', correct: '$3', total: '$4' })} SELECT count(*)::int AS n FROM decided`,
    values: [
      params.at,
      params.scored.map((x) => x.id),
      params.scored.map((x) => x.goldCorrect),
      params.scored.map((x) => x.goldTotal),
    ],
  };
}

// ACCEPTED (each submission with its gold score, $10–$12): the acceptance counted (above); the rewards
// credited; the prices moved from committed to spent (stripes of the dataset's spend, not its
// row: the commitment already holds them, the slots were paid for when the dataset was
// published); a consensus job queued when some item just reached the answers it wants; the stats
// row. Lock order: items, then tasks (the main query reads both; locked_tasks reads counted), then
// the spend stripes (spends reads task, so even a plan that ran the CTEs the main query does not
// read first would lock them last); the worker's balance in the ledger's statement trigger, at the
// end of the statement. The rows of assignments, answers and worker_stats it writes are this
// worker's, locked since the batch's first statements or written by nobody else.
const ACCEPT = `WITH ${decidedCte('ACCEPTED')},
     ${countAcceptedCtes({ worker: '$1', tasks: '$13', items: '$14', regularItems: '$15' })},
     earnings AS (${insertCreditsSql('$16')}),
     spends AS (${upsertSpendsSql({ dataset: '$2', stripes: '$17', amounts: '$18' }, '(SELECT count(*) FROM task) >= 0')}),
     consensus_job AS (${insertOutboxSql({ queue: '$19', jobName: '$20', payload: '$21', jobId: '$22' }, REACHED_WANTED)}),
     stats AS (${DECIDED_STATS})
     ${COUNTED_RESULT}`;

// The counting of an acceptance alone, for a rejection overturned later (late-acceptance.service.ts
// moves the assignment and the money itself).
const COUNT_LATE_ACCEPTANCE = `WITH ${countAcceptedCtes({ worker: '$1', tasks: '$2', items: '$3', regularItems: '$4' })}
     ${COUNTED_RESULT}`;

// REJECTED (each submission with its gold score, $10–$12): the answers stay uncounted and each
// slot ($13, the tasks) is handed out again, paid from the same commitment.
const REJECT = `WITH ${decidedCte('REJECTED')},
     locked_tasks AS (SELECT id FROM tasks WHERE id = ANY ($13::uuid[]) AND (SELECT count(*) FROM decided) >= 0 ORDER BY id FOR UPDATE),
     reopened AS (UPDATE tasks t SET open_slots = t.open_slots + 1 FROM locked_tasks WHERE t.id = locked_tasks.id)
     ${DECIDED_STATS}`;

// Not due yet: submissions whose gold shrank ($3 ids, $4 their gold now: retired since shown)
// count only the gold they can still be scored on, the worker's pending gold moving by the
// difference ($5); the request is answered (the next due submit asks again).
const KEEP_WAITING = `WITH recounted AS (
       UPDATE assignments a SET gold_total = s.total FROM unnest($3::uuid[], $4::int[]) AS s(id, total)
        WHERE a.id = ANY ($3::uuid[]) AND a.id = s.id)
     UPDATE worker_stats SET pending_gold = pending_gold + $5, verdict_asked_at = NULL WHERE worker_id = $1 AND dataset_id = $2`;

// The statements of a verdict's transaction, prepared on each connection, each prepared again every
// few seconds (database/plan-lifetime.ts). Planned on every call, a batch of ~5 submissions spent
// ~1.5 ms planning them, half the time of their execution (pg_stat_statements under bench:assign,
// 2026-12-06). Prepared with plans kept for good, the pending submissions' lock once averaged 26 ms
// a call (a plan made early, kept as tables grew).
const VERDICT_STATEMENTS = {
  lockStats: { name: 'verdict.lock-stats', text: LOCK_STATS },
  lockPending: { name: 'verdict.lock-pending', text: LOCK_PENDING },
  keepWaiting: { name: 'verdict.keep-waiting', text: KEEP_WAITING },
  accept: { name: 'verdict.accept', text: ACCEPT },
  reject: { name: 'verdict.reject', text: REJECT },
} satisfies Record<string, { name: string; text: string }>;

// The SQL of publishing verdicts. Every method but overdue and allTasksDone runs inside the
// deciding transaction; the lock order is worker stats, assignments, items by id, tasks by id,
// spend stripes, the worker's ledger balance.
@Injectable()
export class VerdictRepository {
  // The worker's stats row on the dataset and their submissions still waiting for a verdict
  // (oldest first, with their gold answers), locked in that order, with the dataset's terms. Null
  // when the worker never submitted there or nothing waits.
  async lockBatch(manager: EntityManager, key: { workerId: string; datasetId: string }): Promise<LockedBatch | null> {
    const [s] = await preparedRowsIn<{
      recent_gold: boolean[];
      blocked: boolean;
      block_reason: string | null;
      gold_seen: number;
      gold_correct: number;
      reward_per_answer: string;
      min_gold_accuracy: number | null;
      gold_per_task: number;
      label_kind: string;
    }>(manager, VERDICT_STATEMENTS.lockStats, [key.workerId, key.datasetId]);
    if (!s) return null;
    const pending = pendingSubmissionsStatement(key);
    const rows = await preparedRowsIn<{
      id: string;
      task_id: string;
      item_ids: string[];
      gold_item_ids: string[];
      gold_total: number | null;
      submitted_at: Date;
      gold: AssignmentGold['gold'];
    }>(manager, pending, pending.values);
    if (rows.length === 0) return null;
    return {
      state: {
        recentGold: s.recent_gold,
        blocked: s.blocked,
        blockReason: s.block_reason,
        goldSeen: s.gold_seen,
        goldCorrect: s.gold_correct,
      },
      terms: {
        rewardPerAnswer: BigInt(s.reward_per_answer),
        minGoldAccuracy: s.min_gold_accuracy,
        goldPerTask: s.gold_per_task,
        labelKind: s.label_kind,
      },
      pending: rows.map((r) => ({
        id: r.id,
        taskId: r.task_id,
        itemIds: r.item_ids,
        goldItemIds: r.gold_item_ids,
        goldShown: r.gold_total ?? 0,
        submittedAt: r.submitted_at,
        gold: r.gold,
      })),
    };
  }

  async keepWaiting(
    manager: EntityManager,
    params: { workerId: string; datasetId: string; recounted: readonly ScoredSubmission[] },
  ): Promise<void> {
    await preparedRowsIn(manager, VERDICT_STATEMENTS.keepWaiting, [
      params.workerId,
      params.datasetId,
      params.recounted.map((x) => x.id),
      params.recounted.map((x) => x.goldTotal),
      params.recounted.reduce((n, x) => n + x.goldTotal - x.goldShown, 0),
    ]);
  }

  // ACCEPTED, with everything it moves (ACCEPT above). `earnings` are the batch's rewards and
  // `consensusJob` the job the statement itself queues if some item reached the answers it wants;
  // what is left for the caller is whether some task now has all its accepted assignments.
  async accept(
    manager: EntityManager,
    params: {
      workerId: string;
      datasetId: string;
      scored: readonly ScoredSubmission[];
      regularItemIds: string[];
      at: Date;
      stats: DecidedStats;
      earnings: readonly Earning[];
      consensusJob: OutboxJob<'consensus.aggregate-items'>;
    },
  ): Promise<{ taskFull: boolean }> {
    const { stripes, amounts } = spendStripes(
      params.earnings.map((earning) => ({ assignmentId: earning.assignmentId, amount: earning.amount })),
    );
    const [row] = await preparedRowsIn<{ reached: boolean; full: boolean }>(manager, VERDICT_STATEMENTS.accept, [
      ...decidedValues(params),
      params.scored.map((x) => x.taskId),
      params.scored.flatMap((x) => x.itemIds),
      params.regularItemIds,
      earningRows(params.earnings),
      stripes,
      amounts,
      ...outboxValues(params.consensusJob),
    ]);
    return { taskFull: row.full };
  }

  // A late acceptance's counting (COUNT_LATE_ACCEPTANCE), after the caller locked the items.
  async countLateAcceptance(
    manager: EntityManager,
    params: { workerId: string; taskId: string; itemIds: string[]; regularItemIds: string[] },
  ): Promise<{ reachedWanted: boolean; taskFull: boolean }> {
    const [row] = await queryRows<{ reached: boolean; full: boolean }>(manager, COUNT_LATE_ACCEPTANCE, [
      params.workerId,
      [params.taskId],
      params.itemIds,
      params.regularItemIds,
    ]);
    return { reachedWanted: row.reached, taskFull: row.full };
  }

  // REJECTED, with what it moves (REJECT above).
  async reject(
    manager: EntityManager,
    params: { workerId: string; datasetId: string; scored: readonly ScoredSubmission[]; at: Date; stats: DecidedStats },
  ): Promise<void> {
    await preparedRowsIn(manager, VERDICT_STATEMENTS.reject, [
      ...decidedValues(params),
      params.scored.map((x) => x.taskId),
    ]);
  }

  // Workers with a submission waiting since `before` or earlier: their batches are due whatever
  // their size (one probe of the pending-verdict index per row).
  async overdue(
    manager: EntityManager,
    params: { before: Date; limit: number },
  ): Promise<{ workerId: string; datasetId: string }[]> {
    const rows = await queryRows<{ worker_id: string; dataset_id: string }>(
      manager,
      `SELECT DISTINCT worker_id, dataset_id FROM (
         SELECT worker_id, dataset_id FROM assignments WHERE status = 'SUBMITTED' AND submitted_at <= $1 ORDER BY submitted_at LIMIT $2) due`,
      [params.before, params.limit],
    );
    return rows.map((r) => ({ workerId: r.worker_id, datasetId: r.dataset_id }));
  }

  // Cheap pre-check before asking the datasets area to complete: the split has finished and no
  // task still wants an accepted assignment (one probe of tasks_unfinished_idx).
  async allTasksDone(manager: EntityManager, datasetId: string): Promise<boolean> {
    const [row] = await queryRows<{ done: boolean }>(
      manager,
      `SELECT EXISTS (SELECT 1 FROM task_splits s WHERE s.dataset_id = $1 AND s.completed_at IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.dataset_id = $1 AND t.accepted_count < t.slots) AS done`,
      [datasetId],
    );
    return row.done;
  }
}

// $1..$12 of ACCEPT and REJECT: the key, the time, the stats row's changes and the decided
// submissions with their gold scores (decidedCte).
function decidedValues(params: {
  workerId: string;
  datasetId: string;
  scored: readonly AssignmentGoldScore[];
  at: Date;
  stats: DecidedStats;
}): unknown[] {
  const { stats } = params;
  return [
    params.workerId,
    params.datasetId,
    params.at,
    stats.decided,
    stats.goldShown,
    stats.goldTotal,
    stats.goldCorrect,
    stats.recentGold,
    stats.block,
    params.scored.map((x) => x.id),
    params.scored.map((x) => x.goldCorrect),
    params.scored.map((x) => x.goldTotal),
  ];
}
