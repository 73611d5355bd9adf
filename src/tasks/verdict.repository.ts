import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
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
  answersPerItem: number;
  maxAnswersPerItem: number;
  goldPerTask: number;
  labelKind: string;
  targetConfidence: number | null;
}

// A worker's pending submissions on a dataset (assignments_in_flight_idx by dataset and worker),
// with their gold answers and the gold labels as they are now: gold is scored when the verdict is
// decided, on the labels reviewers may have corrected since the items were shown.
const PENDING_SQL = `SELECT x.id, x.task_id, x.item_ids, x.gold_item_ids, x.gold_total, x.submitted_at, ${GOLD_ANSWERS_OF_X} AS gold
  FROM assignments x WHERE x.worker_id = $1 AND x.dataset_id = $2 AND x.status = 'SUBMITTED'
  ORDER BY x.submitted_at, x.id FOR UPDATE OF x`;

// The SQL of publishing verdicts. Every method runs inside the deciding transaction, after the
// worker's stats row was locked; the lock order is worker stats, assignments, items by id, tasks
// by id, spend stripes.
@Injectable()
export class VerdictRepository {
  // The worker's submissions on the dataset still waiting for a verdict, oldest first, locked,
  // with their gold answers and the dataset's terms.
  async lockPending(
    manager: EntityManager,
    key: { workerId: string; datasetId: string },
  ): Promise<{ pending: PendingSubmission[]; terms: VerdictTerms } | null> {
    const rows = await queryRows<{
      id: string;
      task_id: string;
      item_ids: string[];
      gold_item_ids: string[];
      gold_total: number | null;
      submitted_at: Date;
      gold: AssignmentGold['gold'];
    }>(manager, PENDING_SQL, [key.workerId, key.datasetId]);
    if (rows.length === 0) return null;
    const [d] = await queryRows<{
      reward_per_answer: string;
      min_gold_accuracy: number | null;
      answers_per_item: number;
      max_answers_per_item: number;
      gold_per_task: number;
      label_kind: string;
      target_confidence: number | null;
    }>(
      manager,
      `SELECT reward_per_answer, min_gold_accuracy, answers_per_item, max_answers_per_item, gold_per_task, label_schema->>'kind' AS label_kind, target_confidence
         FROM datasets WHERE id = $1`,
      [key.datasetId],
    );
    return {
      pending: rows.map((r) => ({
        id: r.id,
        taskId: r.task_id,
        itemIds: r.item_ids,
        goldItemIds: r.gold_item_ids,
        goldShown: r.gold_total ?? 0,
        submittedAt: r.submitted_at,
        gold: r.gold,
      })),
      terms: {
        rewardPerAnswer: BigInt(d.reward_per_answer),
        minGoldAccuracy: d.min_gold_accuracy,
        answersPerItem: d.answers_per_item,
        maxAnswersPerItem: d.max_answers_per_item,
        goldPerTask: d.gold_per_task,
        labelKind: d.label_kind,
        targetConfidence: d.target_confidence,
      },
    };
  }

  // A batch found not yet due keeps waiting: its request is answered (the next due submit asks
  // again), and submissions whose gold shrank (retired since shown) count only the gold they can
  // still be scored on, the worker's pending gold moving by the difference.
  async keepWaiting(
    manager: EntityManager,
    params: { workerId: string; datasetId: string; recounted: readonly ScoredSubmission[] },
  ): Promise<void> {
    if (params.recounted.length)
      await manager.query(
        `UPDATE assignments a SET gold_total = s.total FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, total int) WHERE a.id = s.id`,
        [JSON.stringify(params.recounted.map((x) => ({ id: x.id, total: x.goldTotal })))],
      );
    await manager.query(
      'UPDATE worker_stats SET pending_gold = pending_gold + $3, verdict_asked_at = NULL WHERE worker_id = $1 AND dataset_id = $2',
      [params.workerId, params.datasetId, params.recounted.reduce((n, x) => n + x.goldTotal - x.goldShown, 0)],
    );
  }

  // ACCEPTED (each submission with its gold score): the answers count, one more accepted answer
  // on each regular item (rows locked in id order, so two verdicts touching one item cannot
  // deadlock) and then one more accepted assignment on each task. Says whether some item just
  // reached the answers it wants (consensus may aggregate it) and whether some task now has all its
  // accepted assignments.
  async accept(
    manager: EntityManager,
    params: {
      workerId: string;
      scored: readonly AssignmentGoldScore[];
      taskIds: string[];
      itemIds: string[];
      regularItemIds: string[];
      at: Date;
    },
  ): Promise<{ reachedWanted: boolean; taskFull: boolean }> {
    const [row] = await queryRows<{ reached: number; full: boolean }>(
      manager,
      `WITH decided AS (
         UPDATE assignments a SET status = 'ACCEPTED', verdict_at = $6, gold_correct = s.correct, gold_total = s.total
           FROM jsonb_to_recordset($2::jsonb) AS s(id uuid, correct int, total int) WHERE a.id = s.id AND a.status = 'SUBMITTED' RETURNING a.id),
       counted_answers AS (UPDATE answers SET accepted = true WHERE worker_id = $1 AND item_id = ANY ($4::uuid[]) RETURNING 1),
       locked AS (SELECT id FROM items WHERE id = ANY ($5::uuid[]) ORDER BY id FOR UPDATE),
       counted AS (
         UPDATE items i SET
           answer_count = i.answer_count + 1,
           status = CASE WHEN i.status IN ('PENDING', 'IN_PROGRESS')
                         THEN CASE WHEN i.answer_count + 1 >= i.answers_wanted THEN 'LABELED' ELSE 'IN_PROGRESS' END
                         ELSE i.status END
           FROM locked WHERE i.id = locked.id
         RETURNING i.answer_count, i.answers_wanted),
       -- Reading counted here runs the item updates first: the lock order stays items, then tasks.
       locked_tasks AS (SELECT id FROM tasks WHERE id = ANY ($3::uuid[]) AND (SELECT count(*) FROM counted) >= 0 ORDER BY id FOR UPDATE),
       task AS (
         UPDATE tasks t SET accepted_count = t.accepted_count + 1 FROM locked_tasks WHERE t.id = locked_tasks.id
         RETURNING t.accepted_count >= t.slots AS is_full)
       SELECT (SELECT count(*) FROM counted WHERE answer_count = answers_wanted)::int AS reached,
              coalesce((SELECT bool_or(is_full) FROM task), false) AS full`,
      [params.workerId, scoresJson(params.scored), params.taskIds, params.itemIds, params.regularItemIds, params.at],
    );
    return { reachedWanted: row.reached > 0, taskFull: row.full };
  }

  // REJECTED (each submission with its gold score): the answers stay uncounted and each slot is
  // handed out again, paid from the same commitment.
  async reject(
    manager: EntityManager,
    params: { scored: readonly AssignmentGoldScore[]; taskIds: string[]; at: Date },
  ): Promise<void> {
    await manager.query(
      `WITH decided AS (
         UPDATE assignments a SET status = 'REJECTED', verdict_at = $3, gold_correct = s.correct, gold_total = s.total
           FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, correct int, total int) WHERE a.id = s.id AND a.status = 'SUBMITTED' RETURNING a.id),
       locked_tasks AS (SELECT id FROM tasks WHERE id = ANY ($2::uuid[]) AND (SELECT count(*) FROM decided) >= 0 ORDER BY id FOR UPDATE)
       UPDATE tasks t SET open_slots = t.open_slots + 1 FROM locked_tasks WHERE t.id = locked_tasks.id`,
      [scoresJson(params.scored), params.taskIds, params.at],
    );
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

// The decided submissions with their gold scores, for jsonb_to_recordset(id, correct, total).
function scoresJson(scored: readonly AssignmentGoldScore[]): string {
  return JSON.stringify(scored.map((x) => ({ id: x.id, correct: x.goldCorrect, total: x.goldTotal })));
}
