import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { workerQuality } from './worker-quality';

export interface RecordedQuality {
  goldSeen: number;
  goldCorrect: number;
  estimatedAccuracy: number | null;
  blocked: boolean;
}

// worker_stats writes at submit time, inside the submitting transaction. Counters move with
// `SET n = n + x` in an upsert, so the row needs no prior read and cannot lose an increment.
@Injectable()
export class WorkerStatsRepository {
  async recordSubmission(
    manager: EntityManager,
    params: { workerId: string; datasetId: string; answers: number; goldSeen: number; goldCorrect: number; minGoldAccuracy: number | null; minGoldAnswers: number },
  ): Promise<RecordedQuality> {
    const [totals] = (await manager.query(
      `INSERT INTO worker_stats (worker_id, dataset_id, answers, gold_seen, gold_correct)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (worker_id, dataset_id) DO UPDATE SET
         answers = worker_stats.answers + EXCLUDED.answers,
         gold_seen = worker_stats.gold_seen + EXCLUDED.gold_seen,
         gold_correct = worker_stats.gold_correct + EXCLUDED.gold_correct,
         updated_at = now()
       RETURNING gold_seen, gold_correct, blocked`,
      [params.workerId, params.datasetId, params.answers, params.goldSeen, params.goldCorrect],
    )) as { gold_seen: number; gold_correct: number; blocked: boolean }[];
    const quality = workerQuality({ goldCorrect: totals.gold_correct, goldSeen: totals.gold_seen, minGoldAccuracy: params.minGoldAccuracy, minGoldAnswers: params.minGoldAnswers });
    // A block is never lifted here: unblocking is a reviewer's or admin's decision.
    const blocked = totals.blocked || quality.block;
    await manager.query('UPDATE worker_stats SET estimated_accuracy = $3, blocked = $4 WHERE worker_id = $1 AND dataset_id = $2', [params.workerId, params.datasetId, quality.estimatedAccuracy, blocked]);
    return { goldSeen: totals.gold_seen, goldCorrect: totals.gold_correct, estimatedAccuracy: quality.estimatedAccuracy, blocked };
  }
}
