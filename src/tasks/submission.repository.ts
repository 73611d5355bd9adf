import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DatasetStatus, LabelSchema } from '../datasets/dataset-status';
import type { NormalisedAnswer } from './answer-validation';
import { queryRows } from './sql';

export interface DatasetTerms {
  status: DatasetStatus;
  labelSchema: LabelSchema;
  rewardPerAnswer: bigint;
  minGoldAccuracy: number | null;
}

// The writes of a submission. Every method runs inside the submitting transaction; the order the
// service calls them in is the lock order (assignment, items by id, task, worker stats, dataset).
@Injectable()
export class SubmissionRepository {
  async datasetTerms(manager: EntityManager, datasetId: string): Promise<DatasetTerms> {
    const [row] = await queryRows<{ status: DatasetStatus; label_schema: LabelSchema; reward_per_answer: string; min_gold_accuracy: number | null }>(
      manager,
      'SELECT status, label_schema, reward_per_answer, min_gold_accuracy FROM datasets WHERE id = $1',
      [datasetId],
    );
    return { status: row.status, labelSchema: row.label_schema, rewardPerAnswer: BigInt(row.reward_per_answer), minGoldAccuracy: row.min_gold_accuracy };
  }

  // Read only inside the service, for scoring; never returned to a caller.
  async goldLabels(manager: EntityManager, itemIds: string[]): Promise<{ id: string; goldLabel: unknown }[]> {
    const rows = await queryRows<{ id: string; gold_label: unknown }>(manager, 'SELECT id, gold_label FROM items WHERE id = ANY ($1::uuid[]) AND is_gold', [itemIds]);
    return rows.map((r) => ({ id: r.id, goldLabel: r.gold_label }));
  }

  // All answers in one statement. unique(item, worker) stays the last line of defence.
  async insertAnswers(manager: EntityManager, params: { assignmentId: string; datasetId: string; workerId: string; answers: NormalisedAnswer[]; goldItemIds: string[]; accepted: boolean }): Promise<void> {
    const rows = JSON.stringify(params.answers.map((a) => ({ item_id: a.itemId, value: a.value })));
    await manager.query(
      `INSERT INTO answers (assignment_id, dataset_id, item_id, worker_id, value, is_gold, accepted)
       SELECT $1, $2, x.item_id, $3, x.value, x.item_id = ANY ($5::uuid[]), $6
         FROM jsonb_to_recordset($4::jsonb) AS x(item_id uuid, value jsonb)`,
      [params.assignmentId, params.datasetId, params.workerId, rows, params.goldItemIds, params.accepted],
    );
  }

  async finishAssignment(manager: EntityManager, params: { id: string; status: 'ACCEPTED' | 'REJECTED'; submittedAt: Date; hash: string; goldCorrect: number; goldTotal: number }): Promise<void> {
    await manager.query(
      `UPDATE assignments SET status = $2, submitted_at = $3, submission_hash = $4, gold_correct = $5, gold_total = $6 WHERE id = $1`,
      [params.id, params.status, params.submittedAt, params.hash, params.goldCorrect, params.goldTotal],
    );
  }

  // Counts one accepted answer on each regular item; rows are locked in id order so two
  // submissions of the same task cannot deadlock. Returns the items that just reached the
  // number of answers they want (consensus can aggregate them now).
  async countAcceptedAnswers(manager: EntityManager, itemIds: string[]): Promise<string[]> {
    if (itemIds.length === 0) return [];
    const rows = await queryRows<{ id: string; answer_count: number; answers_wanted: number }>(
      manager,
      `WITH locked AS (SELECT id FROM items WHERE id = ANY ($1::uuid[]) ORDER BY id FOR UPDATE)
       UPDATE items i SET
         answer_count = i.answer_count + 1,
         status = CASE WHEN i.status IN ('PENDING', 'IN_PROGRESS')
                       THEN CASE WHEN i.answer_count + 1 >= i.answers_wanted THEN 'LABELED' ELSE 'IN_PROGRESS' END
                       ELSE i.status END
         FROM locked WHERE i.id = locked.id
       RETURNING i.id, i.answer_count, i.answers_wanted`,
      [itemIds],
    );
    return rows.filter((r) => r.answer_count === r.answers_wanted).map((r) => r.id);
  }

  async countAcceptedAssignment(manager: EntityManager, taskId: string): Promise<{ acceptedCount: number; slots: number }> {
    const [row] = await queryRows<{ accepted_count: number; slots: number }>(manager, 'UPDATE tasks SET accepted_count = accepted_count + 1 WHERE id = $1 RETURNING accepted_count, slots', [taskId]);
    return { acceptedCount: row.accepted_count, slots: row.slots };
  }

  // A rejected assignment's slot is handed out again, paid from the same commitment.
  async reopenSlot(manager: EntityManager, taskId: string): Promise<void> {
    await manager.query('UPDATE tasks SET open_slots = open_slots + 1 WHERE id = $1', [taskId]);
  }

  // Moves the price of accepted answers from committed to spent (never read-modify-write). If the
  // commitment falls short (it should not), the rest may come from unreserved budget; never
  // beyond it: spent + committed <= budget holds after every call. False when it does not fit.
  async spend(manager: EntityManager, params: { datasetId: string; amount: bigint }): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `UPDATE datasets SET committed = GREATEST(committed - $2::numeric, 0), spent = spent + $2::numeric
        WHERE id = $1 AND spent + $2::numeric + GREATEST(committed - $2::numeric, 0) <= budget
        RETURNING id`,
      [params.datasetId, params.amount.toString()],
    );
    return rows.length === 1;
  }

  // Called with the dataset row already locked by spend(), so of two submissions finishing the
  // last two tasks the later one sees the earlier one's commit and completes the dataset.
  // Completion needs the split to be finished and every task to have all its accepted
  // assignments; it hands back what is still committed (dataset-lifecycle: completing releases
  // the commitment; no assignment can be in flight once every slot is accepted).
  async completeDatasetIfDone(manager: EntityManager, datasetId: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `UPDATE datasets d SET status = 'COMPLETED', committed = 0
        WHERE d.id = $1 AND d.status IN ('OPEN', 'PAUSED')
          AND EXISTS (SELECT 1 FROM task_splits s WHERE s.dataset_id = d.id AND s.completed_at IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.dataset_id = d.id AND t.accepted_count < t.slots)
        RETURNING d.id`,
      [datasetId],
    );
    return rows.length === 1;
  }
}
