import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import type { DatasetStatus, ItemStatus } from '../datasets/dataset-status';

export interface AppealableAssignment {
  id: string;
  datasetId: string;
  status: string;
  verdictAt: Date | null;
  goldItemIds: string[];
  appealWindowSeconds: number;
  appealed: boolean;
}

export interface FlaggableItem {
  id: string;
  datasetId: string;
  ownerId: string;
  datasetStatus: DatasetStatus;
  isGold: boolean;
  status: ItemStatus;
  hasResult: boolean;
  reviewed: boolean;
  appealWindowSeconds: number;
}

// Reads behind the sources of cases raised by people (appeals, flags), inside their transaction.
@Injectable()
export class SourcesRepository {
  // One's own assignment, locked (someone else's is indistinguishable from a missing one).
  async lockOwnAssignment(
    manager: EntityManager,
    key: { id: string; workerId: string },
  ): Promise<AppealableAssignment | null> {
    const [row] = await queryRows<{
      id: string;
      dataset_id: string;
      status: string;
      verdict_at: Date | null;
      gold_item_ids: string[];
      appeal_window_seconds: number;
      appealed: boolean;
    }>(
      manager,
      `SELECT a.id, a.dataset_id, a.status, a.verdict_at, a.gold_item_ids, d.appeal_window_seconds,
              EXISTS (SELECT 1 FROM disputes x WHERE x.assignment_id = a.id AND x.kind = 'APPEAL') AS appealed
         FROM assignments a JOIN datasets d ON d.id = a.dataset_id
        WHERE a.id = $1 AND a.worker_id = $2 FOR UPDATE OF a`,
      [key.id, key.workerId],
    );
    return row
      ? {
          id: row.id,
          datasetId: row.dataset_id,
          status: row.status,
          verdictAt: row.verdict_at,
          goldItemIds: row.gold_item_ids,
          appealWindowSeconds: row.appeal_window_seconds,
          appealed: row.appealed,
        }
      : null;
  }

  async findItem(manager: EntityManager, itemId: string): Promise<FlaggableItem | null> {
    const [row] = await queryRows<{
      id: string;
      dataset_id: string;
      owner_id: string;
      dataset_status: DatasetStatus;
      is_gold: boolean;
      status: ItemStatus;
      has_result: boolean;
      reviewed: boolean;
      appeal_window_seconds: number;
    }>(
      manager,
      `SELECT i.id, i.dataset_id, d.owner_id, d.status AS dataset_status, i.is_gold, i.status, d.appeal_window_seconds,
              r.label IS NOT NULL AS has_result, coalesce(r.method = 'REVIEW', false) AS reviewed
         FROM items i JOIN datasets d ON d.id = i.dataset_id LEFT JOIN item_results r ON r.item_id = i.id
        WHERE i.id = $1`,
      [itemId],
    );
    return row
      ? {
          id: row.id,
          datasetId: row.dataset_id,
          ownerId: row.owner_id,
          datasetStatus: row.dataset_status,
          isGold: row.is_gold,
          status: row.status,
          hasResult: row.has_result,
          reviewed: row.reviewed,
          appealWindowSeconds: row.appeal_window_seconds,
        }
      : null;
  }

  async lockItem(manager: EntityManager, itemId: string): Promise<ItemStatus> {
    const [row] = await queryRows<{ status: ItemStatus }>(
      manager,
      'SELECT status FROM items WHERE id = $1 FOR UPDATE',
      [itemId],
    );
    return row.status;
  }

  async markDisputed(manager: EntityManager, itemId: string): Promise<void> {
    await manager.query(`UPDATE items SET status = 'DISPUTED' WHERE id = $1`, [itemId]);
  }

  /** The dataset's latest verdict (its appeal window runs from it), one probe per worker of it. */
  async lastVerdictAt(manager: EntityManager, datasetId: string): Promise<Date | null> {
    const [row] = await queryRows<{ at: Date | null }>(
      manager,
      'SELECT max(last_verdict_at) AS at FROM worker_stats WHERE dataset_id = $1',
      [datasetId],
    );
    return row.at;
  }
}
