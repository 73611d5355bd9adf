import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DatasetStatus, LabelSchema } from '../datasets/dataset-status';
import type { NormalisedAnswer } from './answer-validation';
import { toAssignmentRow, type AssignmentRow, type RawAssignment } from './assignments.repository';
import { queryRows } from '../database/query-rows';

export interface GoldLabel {
  id: string;
  goldLabel: unknown;
}

export interface DatasetTerms {
  status: DatasetStatus;
  labelSchema: LabelSchema;
  rewardPerAnswer: bigint;
  minGoldAccuracy: number | null;
  answersPerItem: number;
  maxAnswersPerItem: number;
}

// The writes of a submission. Every method runs inside the submitting transaction; the order the
// service calls them in is the lock order (assignment, items by id, task, worker stats, spend stripe).
@Injectable()
export class SubmissionRepository {
  // Locks one's own assignment (someone else's is indistinguishable from a missing one) and reads
  // the dataset's terms and the gold labels of its gold items with it. The gold labels are read
  // only inside the service, for scoring; they are never returned to a caller.
  async lockForSubmit(manager: EntityManager, key: { id: string; workerId: string }): Promise<{ assignment: AssignmentRow; terms: DatasetTerms; gold: GoldLabel[] } | null> {
    const [row] = await queryRows<RawAssignment & { dataset_status: DatasetStatus; label_schema: LabelSchema; reward_per_answer: string; min_gold_accuracy: number | null; answers_per_item: number; max_answers_per_item: number; gold: GoldLabel[] }>(
      manager,
      `SELECT a.id, a.task_id, a.dataset_id, a.worker_id, a.item_ids, a.gold_item_ids, a.status, a.expires_at, a.submission_hash,
              d.status AS dataset_status, d.label_schema, d.reward_per_answer, d.min_gold_accuracy, d.answers_per_item, d.max_answers_per_item,
              (SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'goldLabel', i.gold_label)), '[]'::jsonb)
                 FROM items i WHERE i.id = ANY (a.gold_item_ids) AND i.is_gold) AS gold
         FROM assignments a JOIN datasets d ON d.id = a.dataset_id
        WHERE a.id = $1 AND a.worker_id = $2
          FOR UPDATE OF a`,
      [key.id, key.workerId],
    );
    if (!row) return null;
    return {
      assignment: toAssignmentRow(row),
      gold: row.gold,
      terms: {
        status: row.dataset_status,
        labelSchema: row.label_schema,
        rewardPerAnswer: BigInt(row.reward_per_answer),
        minGoldAccuracy: row.min_gold_accuracy,
        answersPerItem: row.answers_per_item,
        maxAnswersPerItem: row.max_answers_per_item,
      },
    };
  }

  // The answers, the assignment's outcome and the counters, in one statement. Accepted: one more
  // accepted answer on each regular item (rows locked in id order, so two submissions of one task
  // cannot deadlock) and then one more accepted assignment on the task. Rejected: the slot is
  // handed out again, paid from the same commitment. Says whether some item just reached the
  // answers it wants (consensus may aggregate it) and whether the task now has all its accepted
  // assignments. unique(item, worker) on answers stays the last line of defence for invariant 1.
  async recordOutcome(
    manager: EntityManager,
    params: { assignmentId: string; taskId: string; datasetId: string; workerId: string; answers: NormalisedAnswer[]; goldItemIds: string[]; regularItemIds: string[]; status: 'ACCEPTED' | 'REJECTED'; submittedAt: Date; hash: string; goldCorrect: number; goldTotal: number },
  ): Promise<{ reachedWanted: boolean; taskFull: boolean }> {
    const answers = JSON.stringify(params.answers.map((a) => ({ item_id: a.itemId, value: a.value })));
    const [row] = await queryRows<{ reached: number; is_full: boolean }>(
      manager,
      `WITH stored AS (
         INSERT INTO answers (assignment_id, dataset_id, item_id, worker_id, value, is_gold, accepted)
         SELECT $1, $2, x.item_id, $3, x.value, x.item_id = ANY ($5::uuid[]), $6 = 'ACCEPTED'
           FROM jsonb_to_recordset($4::jsonb) AS x(item_id uuid, value jsonb)),
       outcome AS (
         UPDATE assignments SET status = $6, submitted_at = $7, submission_hash = $8, gold_correct = $9, gold_total = $10 WHERE id = $1),
       locked AS (SELECT id FROM items WHERE $6 = 'ACCEPTED' AND id = ANY ($11::uuid[]) ORDER BY id FOR UPDATE),
       counted AS (
         UPDATE items i SET
           answer_count = i.answer_count + 1,
           status = CASE WHEN i.status IN ('PENDING', 'IN_PROGRESS')
                         THEN CASE WHEN i.answer_count + 1 >= i.answers_wanted THEN 'LABELED' ELSE 'IN_PROGRESS' END
                         ELSE i.status END
           FROM locked WHERE i.id = locked.id
         RETURNING i.answer_count, i.answers_wanted),
       -- Reading counted here runs the item updates first: the lock order stays items, then task.
       task AS (
         UPDATE tasks SET accepted_count = accepted_count + CASE WHEN $6 = 'ACCEPTED' THEN 1 ELSE 0 END,
                          open_slots = open_slots + CASE WHEN $6 = 'ACCEPTED' THEN 0 ELSE 1 END
          WHERE id = $12 AND (SELECT count(*) FROM counted) >= 0
         RETURNING accepted_count >= slots AS is_full)
       SELECT (SELECT count(*) FROM counted WHERE answer_count = answers_wanted)::int AS reached, (SELECT is_full FROM task) AS is_full`,
      [params.assignmentId, params.datasetId, params.workerId, answers, params.goldItemIds, params.status, params.submittedAt, params.hash, params.goldCorrect, params.goldTotal, params.regularItemIds, params.taskId],
    );
    return { reachedWanted: row.reached > 0, taskFull: row.is_full === true };
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
