import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { workerQuality } from './worker-quality';

export interface RecordedQuality {
  goldSeen: number;
  goldCorrect: number;
  estimatedAccuracy: number | null;
  blocked: boolean;
}

export interface VerdictState {
  recentGold: boolean[];
  blocked: boolean;
  /** GOLD_ACCURACY or GOLD_GAMING when blocked. */
  blockReason: string | null;
}

// worker_stats writes of the verdicts (the submit's are in submit_assignment). Counters move with `SET n = n + x` in an upsert,
// so the row needs no prior read and cannot lose an increment.
@Injectable()
export class WorkerStatsRepository {
  // Locks the worker's row on the dataset for a verdict: verdicts of one worker on one dataset
  // are decided one batch at a time. Null when the worker never submitted there.
  async lockForVerdict(
    manager: EntityManager,
    key: { workerId: string; datasetId: string },
  ): Promise<VerdictState | null> {
    const [row] = await queryRows<{ recent_gold: boolean[]; blocked: boolean; block_reason: string | null }>(
      manager,
      'SELECT recent_gold, blocked, block_reason FROM worker_stats WHERE worker_id = $1 AND dataset_id = $2 FOR UPDATE',
      [key.workerId, key.datasetId],
    );
    return row ? { recentGold: row.recent_gold, blocked: row.blocked, blockReason: row.block_reason } : null;
  }

  // The decided batch leaves the pending counters and joins the worker's gold record; the block
  // decision is taken here, with the verdict, never at submit (a block right after one submit
  // would tell which answer was gold). A block is never lifted here: that is a reviewer's or
  // admin's decision.
  async recordVerdict(
    manager: EntityManager,
    params: {
      workerId: string;
      datasetId: string;
      decided: number;
      /** The gold items the batch showed, as its submits counted them in pending_gold. */
      goldShown: number;
      goldTotal: number;
      goldCorrect: number;
      recentGold: boolean[];
      at: Date;
      minGoldAccuracy: number | null;
      minGoldAnswers: number;
    },
  ): Promise<RecordedQuality> {
    const [totals] = await queryRows<{ gold_seen: number; gold_correct: number; blocked: boolean }>(
      manager,
      `UPDATE worker_stats SET
         pending = pending - $3, pending_gold = pending_gold - $8,
         gold_seen = gold_seen + $4, gold_correct = gold_correct + $5, recent_gold = $6::boolean[], last_verdict_at = $7,
         verdict_asked_at = NULL, updated_at = now()
       WHERE worker_id = $1 AND dataset_id = $2
       RETURNING gold_seen, gold_correct, blocked`,
      [
        params.workerId,
        params.datasetId,
        params.decided,
        params.goldTotal,
        params.goldCorrect,
        params.recentGold,
        params.at,
        params.goldShown,
      ],
    );
    const quality = workerQuality({
      goldCorrect: totals.gold_correct,
      goldSeen: totals.gold_seen,
      minGoldAccuracy: params.minGoldAccuracy,
      minGoldAnswers: params.minGoldAnswers,
    });
    const newlyBlocked = quality.block && !totals.blocked;
    // estimated_accuracy is not written here: the full consensus run is its only writer (#15).
    if (newlyBlocked)
      await manager.query(
        `UPDATE worker_stats SET blocked = true, block_reason = 'GOLD_ACCURACY' WHERE worker_id = $1 AND dataset_id = $2`,
        [params.workerId, params.datasetId],
      );
    return {
      goldSeen: totals.gold_seen,
      goldCorrect: totals.gold_correct,
      estimatedAccuracy: quality.estimatedAccuracy,
      blocked: totals.blocked || quality.block,
    };
  }
}
