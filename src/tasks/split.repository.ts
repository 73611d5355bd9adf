import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DatasetStatus } from '../datasets/dataset-status';
import { queryRows } from '../database/query-rows';

export interface SplitTerms {
  status: DatasetStatus;
  itemsPerTask: number;
  answersPerItem: number;
  // From the dataset row's counters: items are frozen once a dataset leaves DRAFT.
  regularItems: number;
}

export interface SplitCursor {
  lastSeq: string;
  itemsSplit: number;
  tasksCreated: number;
  completed: boolean;
}

// Set-based SQL of cutting a dataset's regular items into tasks.
@Injectable()
export class SplitRepository {
  async terms(manager: EntityManager, datasetId: string): Promise<SplitTerms | null> {
    const [row] = await queryRows<{
      status: DatasetStatus;
      items_per_task: number;
      answers_per_item: number;
      regular_items: number;
    }>(
      manager,
      'SELECT status, items_per_task, answers_per_item, item_count - gold_item_count AS regular_items FROM datasets WHERE id = $1',
      [datasetId],
    );
    return row
      ? {
          status: row.status,
          itemsPerTask: row.items_per_task,
          answersPerItem: row.answers_per_item,
          regularItems: row.regular_items,
        }
      : null;
  }

  // Creates the cursor if needed and locks it: a second splitter of the same dataset waits here
  // and then reads where the first one got to.
  async lockCursor(manager: EntityManager, datasetId: string): Promise<SplitCursor> {
    await manager.query('INSERT INTO task_splits (dataset_id) VALUES ($1) ON CONFLICT (dataset_id) DO NOTHING', [
      datasetId,
    ]);
    const [row] = await queryRows<{
      last_seq: string;
      items_split: number;
      tasks_created: number;
      completed_at: Date | null;
    }>(
      manager,
      'SELECT last_seq, items_split, tasks_created, completed_at FROM task_splits WHERE dataset_id = $1 FOR UPDATE',
      [datasetId],
    );
    return {
      lastSeq: row.last_seq,
      itemsSplit: row.items_split,
      tasksCreated: row.tasks_created,
      completed: row.completed_at !== null,
    };
  }

  // One batch: the next `limit` regular items after the cursor, in seq order, grouped
  // (row_number - 1) / itemsPerTask into tasks of answersPerItem slots; the same statement sets
  // each item's answers_wanted. `limit` is a multiple of itemsPerTask, so only the dataset's very
  // last task can be short.
  async cutBatch(
    manager: EntityManager,
    params: { datasetId: string; afterSeq: string; limit: number; itemsPerTask: number; answersPerItem: number },
  ): Promise<{ items: number; tasks: number; lastSeq: string }> {
    const [row] = await queryRows<{ items: number; tasks: number; last_seq: string }>(
      manager,
      `WITH batch AS (
         SELECT id, seq FROM items
          WHERE dataset_id = $1 AND NOT is_gold AND seq > $2::bigint
          ORDER BY seq LIMIT $3),
       numbered AS (SELECT id, seq, row_number() OVER (ORDER BY seq) AS rn FROM batch),
       grouped AS (SELECT (rn - 1) / $4 AS g, array_agg(id ORDER BY seq) AS item_ids FROM numbered GROUP BY 1),
       created AS (
         INSERT INTO tasks (dataset_id, item_ids, slots, open_slots)
         SELECT $1, item_ids, $5, $5 FROM grouped ORDER BY g
         RETURNING 1),
       wanted AS (UPDATE items i SET answers_wanted = $5 FROM batch WHERE i.id = batch.id RETURNING 1)
       SELECT (SELECT count(*) FROM batch)::int AS items,
              (SELECT count(*) FROM created)::int AS tasks,
              (SELECT coalesce(max(seq), $2::bigint) FROM batch)::text AS last_seq`,
      [params.datasetId, params.afterSeq, params.limit, params.itemsPerTask, params.answersPerItem],
    );
    return { items: row.items, tasks: row.tasks, lastSeq: row.last_seq };
  }

  async advanceCursor(
    manager: EntityManager,
    params: { datasetId: string; lastSeq: string; items: number; tasks: number; completed: boolean },
  ): Promise<void> {
    await manager.query(
      `UPDATE task_splits SET last_seq = $2::bigint, items_split = items_split + $3, tasks_created = tasks_created + $4,
              completed_at = CASE WHEN $5 THEN now() ELSE completed_at END, updated_at = now()
        WHERE dataset_id = $1`,
      [params.datasetId, params.lastSeq, params.items, params.tasks, params.completed],
    );
  }
}
