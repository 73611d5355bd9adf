import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import type { EntityManager } from 'typeorm';
import { AggregationMethod, DatasetStatus, ItemStatus, type LabelSchema } from '../datasets/dataset-status';
import { DatasetConsensusEntity } from './dataset-consensus.entity';
import { lockDatasetConsensus } from '../database/advisory-locks';

// Everything the aggregation jobs read. All methods run on the job's transaction (its manager),
// so they see one consistent, locked dataset. Answers and gold labels are streamed through a
// server-side cursor and handed over row by row: nothing here holds one object per answer.

export interface ConsensusDataset {
  id: string;
  status: DatasetStatus;
  labelSchema: LabelSchema;
  answersPerItem: number;
  maxAnswersPerItem: number;
  targetConfidence: number | null;
  itemsPerTask: number;
  goldPerTask: number;
  rewardPerAnswer: bigint;
  spent: bigint;
  aggregation: AggregationMethod;
}

export interface ReadyItem {
  id: string;
  answersWanted: number;
}

const STREAM_BATCH = 5000;
// item_results.method of a label a reviewer set: final, never overwritten by aggregation.
export const REVIEW_METHOD = 'REVIEW';
// Items still collecting answers, and those whose answers are in but whose consensus is not
// settled. DISPUTED and RESOLVED belong to review.
export const OPEN_ITEM_STATUSES = [ItemStatus.PENDING, ItemStatus.IN_PROGRESS];
export const SETTLEABLE_ITEM_STATUSES = [ItemStatus.PENDING, ItemStatus.IN_PROGRESS, ItemStatus.LABELED];

@Injectable()
export class ConsensusReadRepository {
  // Serialises every aggregation of one dataset across workers, and with reviewers' resolutions.
  lockDataset(manager: EntityManager, datasetId: string): Promise<void> {
    return lockDatasetConsensus(manager, datasetId);
  }

  async dataset(manager: EntityManager, datasetId: string): Promise<ConsensusDataset | null> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT id, status, label_schema, answers_per_item, max_answers_per_item, target_confidence, items_per_task,
              gold_per_task, reward_per_answer::text AS reward, f.spent::text AS spent, aggregation
         FROM datasets d JOIN dataset_funds f USING (id) WHERE d.id = $1`,
      [datasetId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id as string,
      status: r.status as DatasetStatus,
      labelSchema: r.label_schema as LabelSchema,
      answersPerItem: r.answers_per_item as number,
      maxAnswersPerItem: Math.max(r.max_answers_per_item as number, r.answers_per_item as number),
      targetConfidence: r.target_confidence as number | null,
      itemsPerTask: r.items_per_task as number,
      goldPerTask: r.gold_per_task as number,
      rewardPerAnswer: BigInt(r.reward as string),
      spent: BigInt(r.spent as string),
      aggregation: r.aggregation as AggregationMethod,
    };
  }

  /** Regular items whose accepted answers reached what they want (answers_wanted, or
   * answersPerItem when the splitter left it at 0) and that no aggregation has settled yet: no
   * result row, or one computed from fewer answers than the item has now. LABELED counts as
   * unsettled too, because the submit path marks an item LABELED as soon as its answers are in;
   * consensus then confirms it, tops it up or sends it to review. */
  async readyItems(manager: EntityManager, dataset: ConsensusDataset): Promise<ReadyItem[]> {
    const rows: { id: string; answers_wanted: number }[] = await manager.query(
      `SELECT i.id, GREATEST(i.answers_wanted, $2) AS answers_wanted
         FROM items i LEFT JOIN item_results r ON r.item_id = i.id
        WHERE i.dataset_id = $1 AND NOT i.is_gold AND i.status = ANY($3::text[])
          AND i.answer_count >= GREATEST(i.answers_wanted, $2)
          AND (r.item_id IS NULL OR r.answers < i.answer_count)
        ORDER BY i.seq`,
      [dataset.id, dataset.answersPerItem, SETTLEABLE_ITEM_STATUSES],
    );
    return rows.map((r) => ({ id: r.id, answersWanted: r.answers_wanted }));
  }

  /** Items a reviewer settled: aggregation never overwrites their result. */
  async resolvedItemIds(manager: EntityManager, datasetId: string): Promise<Set<string>> {
    const rows: { id: string }[] = await manager.query(`SELECT id FROM items WHERE dataset_id = $1 AND status = $2`, [
      datasetId,
      ItemStatus.RESOLVED,
    ]);
    return new Set(rows.map((r) => r.id));
  }

  async hasOpenItems(manager: EntityManager, datasetId: string): Promise<boolean> {
    const rows: { open: boolean }[] = await manager.query(
      `SELECT EXISTS (SELECT 1 FROM items WHERE dataset_id = $1 AND NOT is_gold AND status = ANY($2::text[])) AS open`,
      [datasetId, OPEN_ITEM_STATUSES],
    );
    return rows[0].open;
  }

  /** Gold labels (retired gold anchors nothing) and, as ground truth like gold, the labels
   * reviewers set on regular items (method REVIEW). */
  async streamGold(
    manager: EntityManager,
    params: { datasetId: string; onRow: (itemId: string, label: unknown) => void },
  ): Promise<number> {
    return stream(manager, {
      sql: `SELECT id, gold_label FROM items WHERE dataset_id = $1 AND is_gold AND NOT gold_retired AND gold_label IS NOT NULL
            UNION ALL
            SELECT item_id, label FROM item_results WHERE dataset_id = $1 AND method = '${REVIEW_METHOD}' AND label IS NOT NULL`,
      values: [params.datasetId],
      onRow: (row) => params.onRow(row[0] as string, row[1]),
    });
  }

  /** Accepted answers of the dataset (or of the given items). Deliberately unordered: sorting
   * millions of rows costs PostgreSQL more than the whole EM run, and the order only moves
   * results in the last floating point bits, which saveResults rounds away. */
  async streamAnswers(
    manager: EntityManager,
    params: {
      datasetId: string;
      itemIds?: readonly string[];
      onRow: (itemId: string, workerId: string, value: unknown) => void;
    },
  ): Promise<number> {
    const onRow = (row: unknown[]): void => params.onRow(row[0] as string, row[1] as string, row[2]);
    const base = `SELECT item_id, worker_id, value FROM answers WHERE dataset_id = $1 AND accepted`;
    if (params.itemIds === undefined) return stream(manager, { sql: base, values: [params.datasetId], onRow });
    let total = 0;
    for (let from = 0; from < params.itemIds.length; from += STREAM_BATCH) {
      const ids = params.itemIds.slice(from, from + STREAM_BATCH);
      total += await stream(manager, {
        sql: `${base} AND item_id = ANY($2::uuid[])`,
        values: [params.datasetId, ids],
        onRow,
      });
    }
    return total;
  }

  /** Per worker: the last full run's estimate, else their smoothed gold record, else unknown. */
  async knownAccuracies(manager: EntityManager, datasetId: string): Promise<Map<string, number>> {
    const rows: { worker_id: string; accuracy: number }[] = await manager.query(
      `SELECT worker_id, COALESCE(estimated_accuracy, (gold_correct + 1.0) / (gold_seen + 2.0)) AS accuracy
         FROM worker_stats WHERE dataset_id = $1 AND (estimated_accuracy IS NOT NULL OR gold_seen > 0)`,
      [datasetId],
    );
    return new Map(rows.map((r) => [r.worker_id, Number(r.accuracy)]));
  }

  topUpHeadroom(manager: EntityManager, datasetId: string): Promise<bigint> {
    return topUpHeadroom(manager, datasetId);
  }

  async state(manager: EntityManager, datasetId: string): Promise<DatasetConsensusEntity | null> {
    return manager.findOne(DatasetConsensusEntity, { where: { datasetId } });
  }
}

/** Committed money minus the dispute reserve and the worst-case cost of every slot still
 * outstanding on existing tasks (each answers its items plus goldPerTask gold): what dynamic
 * overlap (and a reviewer's requeue) may still spend. */
export async function topUpHeadroom(manager: EntityManager, datasetId: string): Promise<bigint> {
  const rows: { headroom: string }[] = await manager.query(
    `SELECT (f.committed - d.dispute_reserve - d.reward_per_answer * COALESCE((
              SELECT SUM((t.slots - t.accepted_count)::numeric * (cardinality(t.item_ids) + d.gold_per_task))
                FROM tasks t WHERE t.dataset_id = d.id AND t.accepted_count < t.slots), 0))::text AS headroom
       FROM datasets d JOIN dataset_funds f USING (id) WHERE d.id = $1`,
    [datasetId],
  );
  return rows[0] ? BigInt(rows[0].headroom) : 0n;
}

async function stream(
  manager: EntityManager,
  params: { sql: string; values: unknown[]; onRow: (row: unknown[]) => void },
): Promise<number> {
  if (!manager.queryRunner) throw new Error('streaming reads must run inside a transaction');
  const client = (await manager.queryRunner.connect()) as PoolClient;
  const rows = client.query(new QueryStream(params.sql, params.values, { batchSize: STREAM_BATCH, rowMode: 'array' }));
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    rows.on('data', (row: unknown[]) => {
      try {
        params.onRow(row);
        count++;
      } catch (error) {
        rows.destroy(error as Error);
      }
    });
    rows.on('error', reject);
    rows.on('end', resolve);
  });
  return count;
}
