import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DatasetStatus } from '../datasets/dataset-status';
import type { TaskItemView } from './assignments.repository';
import { queryRows } from './sql';

export interface ClaimContext {
  status: DatasetStatus;
  goldPerTask: number;
  leaseSeconds: number;
  blocked: boolean;
  active: { id: string; expiresAt: Date } | null;
}

// The SQL of claiming a task. Every method runs inside the caller's transaction.
@Injectable()
export class ClaimRepository {
  // Serialises claims of one worker on one dataset (a double-click), so "return the active lease
  // or take one" is decided once; claims of different workers never wait on each other here.
  async lockWorkerOnDataset(manager: EntityManager, key: { workerId: string; datasetId: string }): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [key.workerId, key.datasetId]);
  }

  // Dataset terms, the worker's block flag and their active lease, in one round trip.
  async claimContext(manager: EntityManager, key: { workerId: string; datasetId: string }): Promise<ClaimContext | null> {
    const rows = await queryRows<{ status: DatasetStatus; gold_per_task: number; lease_seconds: number; blocked: boolean; active_id: string | null; active_expires_at: Date | null }>(
      manager,
      `SELECT d.status, d.gold_per_task, d.lease_seconds,
              coalesce((SELECT w.blocked FROM worker_stats w WHERE w.worker_id = $2 AND w.dataset_id = d.id), false) AS blocked,
              a.id AS active_id, a.expires_at AS active_expires_at
         FROM datasets d
         LEFT JOIN assignments a ON a.dataset_id = d.id AND a.worker_id = $2 AND a.status = 'ACTIVE'
        WHERE d.id = $1`,
      [key.datasetId, key.workerId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      status: row.status,
      goldPerTask: row.gold_per_task,
      leaseSeconds: row.lease_seconds,
      blocked: row.blocked,
      active: row.active_id ? { id: row.active_id, expiresAt: row.active_expires_at as Date } : null,
    };
  }

  // Takes one slot of the first task (in split order) that has a free slot and holds no item this
  // worker has ever been shown, and picks up to `goldCount` gold items they have never been shown,
  // in one statement. SKIP LOCKED lets concurrent claims pass each other instead of queueing on
  // the head task; the slot is taken by the same statement that finds it. Which gold items is not
  // a secret (their positions are shuffled with crypto randomness later), so random() is enough.
  async takeNextTask(manager: EntityManager, params: { workerId: string; datasetId: string; goldCount: number }): Promise<{ id: string; itemIds: string[]; goldItemIds: string[] } | null> {
    const rows = await queryRows<{ id: string; item_ids: string[]; gold: string[] }>(
      manager,
      `WITH picked AS (
         SELECT t.id FROM tasks t
          WHERE t.dataset_id = $1 AND t.open_slots > 0
            AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = $2 AND s.item_id = ANY (t.item_ids))
          ORDER BY t.seq
          LIMIT 1
          FOR UPDATE OF t SKIP LOCKED),
       taken AS (
         UPDATE tasks t SET open_slots = t.open_slots - 1 FROM picked WHERE t.id = picked.id
         RETURNING t.id, t.item_ids)
       SELECT taken.id, taken.item_ids,
              ARRAY(SELECT i.id FROM items i
                     WHERE $3 > 0 AND i.dataset_id = $1 AND i.is_gold
                       AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = $2 AND s.item_id = i.id)
                     ORDER BY random() LIMIT $3) AS gold
         FROM taken`,
      [params.datasetId, params.workerId, params.goldCount],
    );
    return rows[0] ? { id: rows[0].id, itemIds: rows[0].item_ids, goldItemIds: rows[0].gold } : null;
  }

  // The assignment, the worker's seen-items rows and the payloads to show, in one statement. The
  // primary key of worker_seen_items refuses the whole claim if any item was somehow shown before.
  // Only id and payload of an item are read: nothing else about it can reach the labeler.
  async createAssignment(
    manager: EntityManager,
    params: { taskId: string; datasetId: string; workerId: string; itemIds: string[]; goldItemIds: string[]; expiresAt: Date },
  ): Promise<{ id: string; items: TaskItemView[] }> {
    const rows = await queryRows<{ id: string; items: TaskItemView[] }>(
      manager,
      `WITH created AS (
         INSERT INTO assignments (task_id, dataset_id, worker_id, item_ids, gold_item_ids, status, expires_at)
         VALUES ($1, $2, $3, $4::uuid[], $5::uuid[], 'ACTIVE', $6)
         RETURNING id),
       seen AS (
         INSERT INTO worker_seen_items (worker_id, item_id, dataset_id)
         SELECT $3, unnest($4::uuid[]), $2)
       SELECT created.id,
              (SELECT json_agg(json_build_object('id', i.id, 'payload', i.payload) ORDER BY u.n)
                 FROM unnest($4::uuid[]) WITH ORDINALITY AS u(id, n) JOIN items i ON i.id = u.id) AS items
         FROM created`,
      [params.taskId, params.datasetId, params.workerId, params.itemIds, params.goldItemIds, params.expiresAt],
    );
    return rows[0];
  }

  // Datasets worth trying for a claim without a dataset id: open, with a free slot somewhere, and
  // not blocking this worker. Oldest first, so work finishes dataset by dataset.
  async candidateDatasets(manager: EntityManager, params: { workerId: string; limit: number }): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `SELECT d.id FROM datasets d
        WHERE d.status = 'OPEN'
          AND EXISTS (SELECT 1 FROM tasks t WHERE t.dataset_id = d.id AND t.open_slots > 0)
          AND NOT EXISTS (SELECT 1 FROM worker_stats w WHERE w.worker_id = $1 AND w.dataset_id = d.id AND w.blocked)
        ORDER BY d.created_at, d.id
        LIMIT $2`,
      [params.workerId, params.limit],
    );
    return rows.map((r) => r.id);
  }
}
