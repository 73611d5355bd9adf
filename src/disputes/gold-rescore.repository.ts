import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import type { DecidedAssignment } from '../quality/rescore';
import type { AssignmentGoldScore } from '../quality/gold-scoring';
import { GOLD_ANSWERS_OF_X } from '../quality/gold-answers.sql';

export interface RescoreJob {
  id: string;
  datasetId: string;
  itemId: string;
  cursor: string | null;
  earmarkLeft: bigint;
  finished: boolean;
}

export interface RescoreTerms {
  kind: string;
  minGoldAccuracy: number | null;
}

// The SQL of gold re-scores. A chunk's transaction locks, in order: the re-score row, the
// dataset row (the reserve), then per worker their stats row and their decided assignments —
// the verdicts' order (stats, assignments, items, tasks) after the first two, which verdicts
// never take.
// A worker's decided assignments on a dataset with their gold answers (see lockDecided).
const DECIDED_SQL = `SELECT x.id, x.status, x.verdict_at, x.gold_correct, x.gold_total, ${GOLD_ANSWERS_OF_X} AS gold
         FROM assignments x WHERE x.worker_id = $1 AND x.dataset_id = $2 AND x.status IN ('ACCEPTED', 'REJECTED')
        ORDER BY x.verdict_at, x.submitted_at, x.id FOR UPDATE OF x`;

@Injectable()
export class GoldRescoreRepository {
  async lock(manager: EntityManager, id: string): Promise<RescoreJob | null> {
    const [row] = await queryRows<{
      id: string;
      dataset_id: string;
      item_id: string;
      cursor: string | null;
      left: string;
      finished: boolean;
    }>(
      manager,
      `SELECT id, dataset_id, item_id, cursor, (earmark - paid)::text AS left, finished_at IS NOT NULL AS finished FROM gold_rescores WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row
      ? {
          id: row.id,
          datasetId: row.dataset_id,
          itemId: row.item_id,
          cursor: row.cursor,
          earmarkLeft: BigInt(row.left),
          finished: row.finished,
        }
      : null;
  }

  async terms(manager: EntityManager, datasetId: string): Promise<RescoreTerms> {
    const [row] = await queryRows<{ kind: string; min_gold_accuracy: number | null }>(
      manager,
      `SELECT label_schema->>'kind' AS kind, min_gold_accuracy FROM datasets WHERE id = $1`,
      [datasetId],
    );
    return { kind: row.kind, minGoldAccuracy: row.min_gold_accuracy };
  }

  /** The next workers (by id, after the cursor) who answered the gold item: one index range. */
  async nextWorkers(
    manager: EntityManager,
    params: { itemId: string; after: string | null; limit: number },
  ): Promise<string[]> {
    const rows = await queryRows<{ worker_id: string }>(
      manager,
      'SELECT worker_id FROM answers WHERE item_id = $1 AND ($2::uuid IS NULL OR worker_id > $2) ORDER BY worker_id LIMIT $3',
      [params.itemId, params.after, params.limit],
    );
    return rows.map((r) => r.worker_id);
  }

  async lockWorkerStats(
    manager: EntityManager,
    key: { workerId: string; datasetId: string },
  ): Promise<{ blocked: boolean; blockReason: string | null } | null> {
    const [row] = await queryRows<{ blocked: boolean; block_reason: string | null }>(
      manager,
      'SELECT blocked, block_reason FROM worker_stats WHERE worker_id = $1 AND dataset_id = $2 FOR UPDATE',
      [key.workerId, key.datasetId],
    );
    return row ? { blocked: row.blocked, blockReason: row.block_reason } : null;
  }

  /** The worker's decided assignments on the dataset in verdict order, locked, with their gold
   * answers and the items' gold labels as they are now (null for retired gold). */
  async lockDecided(
    manager: EntityManager,
    key: { workerId: string; datasetId: string },
  ): Promise<(DecidedAssignment & { storedCorrect: number; storedTotal: number })[]> {
    const rows = await queryRows<{
      id: string;
      status: 'ACCEPTED' | 'REJECTED';
      verdict_at: Date;
      gold: { answer: unknown; gold: unknown }[];
      gold_correct: number;
      gold_total: number;
    }>(manager, DECIDED_SQL, [key.workerId, key.datasetId]);
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      verdictAt: r.verdict_at,
      gold: r.gold,
      storedCorrect: r.gold_correct,
      storedTotal: r.gold_total,
    }));
  }

  async saveScores(manager: EntityManager, scores: readonly AssignmentGoldScore[]): Promise<void> {
    if (scores.length === 0) return;
    await manager.query(
      `UPDATE assignments a SET gold_correct = s.correct, gold_total = s.total FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, correct int, total int) WHERE a.id = s.id`,
      [JSON.stringify(scores.map((s) => ({ id: s.id, correct: s.goldCorrect, total: s.goldTotal })))],
    );
  }

  /** The worker's gold record on the current labels; `unblock` lifts a GOLD_ACCURACY block. */
  async saveWorkerRecord(
    manager: EntityManager,
    params: {
      workerId: string;
      datasetId: string;
      goldSeen: number;
      goldCorrect: number;
      recentGold: boolean[];
      estimatedAccuracy: number | null;
      unblock: boolean;
    },
  ): Promise<void> {
    await manager.query(
      `UPDATE worker_stats SET gold_seen = $3, gold_correct = $4, recent_gold = $5::boolean[], estimated_accuracy = $6,
              blocked = CASE WHEN $7 THEN false ELSE blocked END, block_reason = CASE WHEN $7 THEN NULL ELSE block_reason END, updated_at = now()
        WHERE worker_id = $1 AND dataset_id = $2`,
      [
        params.workerId,
        params.datasetId,
        params.goldSeen,
        params.goldCorrect,
        params.recentGold,
        params.estimatedAccuracy,
        params.unblock,
      ],
    );
  }

  async advance(
    manager: EntityManager,
    params: {
      id: string;
      cursor: string;
      paidFromEarmark: bigint;
      workers: number;
      accepted: number;
      unblocked: number;
    },
  ): Promise<void> {
    await manager.query(
      `UPDATE gold_rescores SET cursor = $2, paid = paid + $3::numeric, workers = workers + $4, accepted = accepted + $5, unblocked = unblocked + $6 WHERE id = $1`,
      [params.id, params.cursor, params.paidFromEarmark.toString(), params.workers, params.accepted, params.unblocked],
    );
  }

  /** Finished: what the earmark did not pay is free reserve again (it never left the reserve). */
  async finish(manager: EntityManager, params: { id: string; at: Date }): Promise<void> {
    await manager.query('UPDATE gold_rescores SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL', [
      params.id,
      params.at,
    ]);
  }

  async unfinished(manager: EntityManager, limit: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      manager,
      'SELECT id FROM gold_rescores WHERE finished_at IS NULL ORDER BY requested_at LIMIT $1',
      [limit],
    );
    return rows.map((r) => r.id);
  }
}
