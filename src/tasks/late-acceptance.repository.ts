import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';

export interface RejectedAssignment {
  id: string;
  taskId: string;
  datasetId: string;
  workerId: string;
  itemIds: string[];
  goldItemIds: string[];
  rewardPerAnswer: bigint;
  /** OPEN or PAUSED: its open slots are still funded by the commitment. */
  datasetBuysAnswers: boolean;
}

// The SQL of late acceptances (LateAcceptanceService), inside the deciding transaction.
@Injectable()
export class LateAcceptanceRepository {
  async lockRejected(manager: EntityManager, assignmentId: string): Promise<RejectedAssignment | null> {
    const [row] = await queryRows<{
      id: string;
      task_id: string;
      dataset_id: string;
      worker_id: string;
      item_ids: string[];
      gold_item_ids: string[];
      reward_per_answer: string;
      dataset_status: string;
    }>(
      manager,
      `SELECT a.id, a.task_id, a.dataset_id, a.worker_id, a.item_ids, a.gold_item_ids, d.reward_per_answer, d.status AS dataset_status
         FROM assignments a JOIN datasets d ON d.id = a.dataset_id
        WHERE a.id = $1 AND a.status = 'REJECTED' FOR UPDATE OF a`,
      [assignmentId],
    );
    if (!row) return null;
    return {
      id: row.id,
      taskId: row.task_id,
      datasetId: row.dataset_id,
      workerId: row.worker_id,
      itemIds: row.item_ids,
      goldItemIds: row.gold_item_ids,
      rewardPerAnswer: BigInt(row.reward_per_answer),
      datasetBuysAnswers: row.dataset_status === 'OPEN' || row.dataset_status === 'PAUSED',
    };
  }

  async lockItems(manager: EntityManager, itemIds: readonly string[]): Promise<void> {
    await manager.query('SELECT id FROM items WHERE id = ANY ($1::uuid[]) ORDER BY id FOR UPDATE', [itemIds]);
  }

  // The task's open slot, if it still has one: it becomes this assignment's again (held, about
  // to be counted as accepted by the verdict SQL).
  async takeOpenSlot(manager: EntityManager, taskId: string): Promise<boolean> {
    const rows = await queryRows(
      manager,
      'UPDATE tasks SET open_slots = open_slots - 1 WHERE id = $1 AND open_slots > 0 RETURNING id',
      [taskId],
    );
    return rows.length === 1;
  }

  async markAccepted(
    manager: EntityManager,
    params: { assignmentId: string; at: Date; beyondSlots: boolean },
  ): Promise<void> {
    await manager.query(
      `UPDATE assignments SET status = 'ACCEPTED', late_accepted_at = $2, beyond_slots = $3 WHERE id = $1 AND status = 'REJECTED'`,
      [params.assignmentId, params.at, params.beyondSlots],
    );
  }
}
