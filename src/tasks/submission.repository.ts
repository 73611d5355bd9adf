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
  goldPerTask: number;
}

// The writes of a submission. Every method runs inside the submitting transaction; the order the
// service calls them in is the lock order (assignment, worker stats).
@Injectable()
export class SubmissionRepository {
  // Locks one's own assignment (someone else's is indistinguishable from a missing one) and reads
  // the dataset's terms and the gold labels of its gold items with it. The gold labels are read
  // only inside the service, for scoring; they are never returned to a caller.
  async lockForSubmit(manager: EntityManager, key: { id: string; workerId: string }): Promise<{ assignment: AssignmentRow; terms: DatasetTerms; gold: GoldLabel[] } | null> {
    const [row] = await queryRows<RawAssignment & { dataset_status: DatasetStatus; label_schema: LabelSchema; reward_per_answer: string; min_gold_accuracy: number | null; answers_per_item: number; max_answers_per_item: number; gold_per_task: number; gold: GoldLabel[] }>(
      manager,
      `SELECT a.id, a.task_id, a.dataset_id, a.worker_id, a.item_ids, a.gold_item_ids, a.status, a.expires_at, a.submission_hash,
              d.status AS dataset_status, d.label_schema, d.reward_per_answer, d.min_gold_accuracy, d.answers_per_item, d.max_answers_per_item, d.gold_per_task,
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
        goldPerTask: row.gold_per_task,
      },
    };
  }

  // The answers (not yet counted: accepted = false) and the assignment's move to SUBMITTED with
  // its gold score, in one statement. Item and task counters, money and the consensus job wait
  // for the verdict (VerdictRepository). unique(item, worker) on answers stays the last line of
  // defence for invariant 1.
  async recordSubmission(
    manager: EntityManager,
    params: { assignmentId: string; datasetId: string; workerId: string; answers: NormalisedAnswer[]; goldItemIds: string[]; submittedAt: Date; hash: string; goldCorrect: number; goldTotal: number },
  ): Promise<void> {
    const answers = JSON.stringify(params.answers.map((a) => ({ item_id: a.itemId, value: a.value })));
    await manager.query(
      `WITH stored AS (
         INSERT INTO answers (assignment_id, dataset_id, item_id, worker_id, value, is_gold, accepted)
         SELECT $1, $2, x.item_id, $3, x.value, x.item_id = ANY ($5::uuid[]), false
           FROM jsonb_to_recordset($4::jsonb) AS x(item_id uuid, value jsonb))
       UPDATE assignments SET status = 'SUBMITTED', submitted_at = $6, submission_hash = $7, gold_correct = $8, gold_total = $9 WHERE id = $1`,
      [params.assignmentId, params.datasetId, params.workerId, answers, params.goldItemIds, params.submittedAt, params.hash, params.goldCorrect, params.goldTotal],
    );
  }
}
