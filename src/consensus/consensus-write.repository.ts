import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { rowsOf } from '../database/query-rows';
import { ItemStatus } from '../datasets/dataset-status';
import { openLowAgreementCases } from '../disputes/open-cases';
import { REVIEW_METHOD, SETTLEABLE_ITEM_STATUSES } from './consensus-read.repository';
import type { TopUpTask } from './overlap-plan';

// Everything the aggregation jobs write, set-based (unnest arrays, one statement per batch) and
// idempotent: running the same job twice leaves the same rows.

export interface ResultRows {
  itemIds: readonly string[];
  /** JSON text of each label, or null. */
  labels: readonly (string | null)[];
  confidence: readonly (number | null)[];
  answers: readonly number[];
}

export interface FullRunState {
  datasetId: string;
  fleissKappa: number | null;
  krippendorffAlpha: number | null;
  meanConfidence: number | null;
  method: string;
  answers: number;
  at: Date;
}

export interface WorkerRecord {
  workerId: string;
  goldSeen: number;
  goldCorrect: number;
  regularCompared: number;
  regularAgreed: number;
  blocked: boolean;
}

const WRITE_BATCH = 5000;

@Injectable()
export class ConsensusWriteRepository {
  /** One row per item. A row is rewritten (and its version bumped) only when its label,
   * confidence, answer count or method changed, and never once a reviewer set it (method REVIEW):
   * the caller skips RESOLVED items, and this guard holds even for a row it did not expect. */
  async upsertResults(
    manager: EntityManager,
    params: { datasetId: string; method: string; rows: ResultRows },
  ): Promise<number> {
    const { rows } = params;
    let changed = 0;
    for (let from = 0; from < rows.itemIds.length; from += WRITE_BATCH) {
      const to = from + WRITE_BATCH;
      const written: unknown[] = await manager.query(
        `INSERT INTO item_results (item_id, dataset_id, label, confidence, answers, method)
         SELECT u.item_id, $1, u.label, u.confidence, u.answers, $2
           FROM unnest($3::uuid[], $4::jsonb[], $5::float8[], $6::int[]) AS u(item_id, label, confidence, answers)
         ON CONFLICT (item_id) DO UPDATE
            SET label = EXCLUDED.label, confidence = EXCLUDED.confidence, answers = EXCLUDED.answers, method = EXCLUDED.method,
                version = item_results.version + 1, updated_at = now()
          WHERE item_results.method <> '${REVIEW_METHOD}'
            AND (item_results.label, item_results.confidence, item_results.answers, item_results.method)
                IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.confidence, EXCLUDED.answers, EXCLUDED.method)
         RETURNING 1`,
        [
          params.datasetId,
          params.method,
          rows.itemIds.slice(from, to),
          rows.labels.slice(from, to),
          rows.confidence.slice(from, to),
          rows.answers.slice(from, to),
        ],
      );
      changed += written.length;
    }
    return changed;
  }

  /** Moves items that are open (or LABELED by the submit path) to a final status; rows already
   * there are not rewritten (the submit path has usually marked them LABELED). Answers the items
   * moved. */
  async finishItems(
    manager: EntityManager,
    params: { itemIds: readonly string[]; status: ItemStatus.LABELED | ItemStatus.DISPUTED },
  ): Promise<string[]> {
    const moved: string[] = [];
    for (let from = 0; from < params.itemIds.length; from += WRITE_BATCH) {
      const rows = rowsOf<{ id: string }>(
        await manager.query(
          `UPDATE items SET status = $2 WHERE id = ANY($1::uuid[]) AND status = ANY($3::text[]) AND status <> $2 RETURNING id`,
          [params.itemIds.slice(from, from + WRITE_BATCH), params.status, SETTLEABLE_ITEM_STATUSES],
        ),
      );
      moved.push(...rows.map((r) => r.id));
    }
    return moved;
  }

  /** DISPUTED, and a LOW_AGREEMENT case for each item moved, in the same transaction: an item
   * is never in review without its case. */
  async disputeItems(manager: EntityManager, params: { datasetId: string; itemIds: readonly string[] }): Promise<void> {
    const moved = await this.finishItems(manager, { itemIds: params.itemIds, status: ItemStatus.DISPUTED });
    await openLowAgreementCases(manager, { datasetId: params.datasetId, itemIds: moved });
  }

  /** Only estimated_accuracy is ours; answers / gold counts / blocked belong to submit-time scoring. */
  async writeWorkerAccuracy(
    manager: EntityManager,
    params: { datasetId: string; workerIds: readonly string[]; accuracy: Float64Array },
  ): Promise<void> {
    for (let from = 0; from < params.workerIds.length; from += WRITE_BATCH) {
      const to = from + WRITE_BATCH;
      await manager.query(
        `INSERT INTO worker_stats (worker_id, dataset_id, estimated_accuracy)
         SELECT u.worker_id, $1, u.accuracy FROM unnest($2::uuid[], $3::float8[]) AS u(worker_id, accuracy)
         ON CONFLICT (worker_id, dataset_id) DO UPDATE SET estimated_accuracy = EXCLUDED.estimated_accuracy, updated_at = now()
          WHERE worker_stats.estimated_accuracy IS DISTINCT FROM EXCLUDED.estimated_accuracy`,
        [
          params.datasetId,
          params.workerIds.slice(from, to),
          Array.from(params.accuracy.subarray(from, to), finiteOrNull),
        ],
      );
    }
  }

  /** Each worker's accepted regular answers compared with the final labels just saved, and how
   * many agree (exact equality of the stored canonical labels: meaningful for the choice kinds,
   * which is where the caller uses it). Answers the gold and agreement record of every worker of
   * the dataset, for gaming detection. */
  async writeRegularAgreement(manager: EntityManager, datasetId: string): Promise<WorkerRecord[]> {
    const rows: {
      worker_id: string;
      gold_seen: number;
      gold_correct: number;
      regular_compared: number;
      regular_agreed: number;
      blocked: boolean;
    }[] = await manager.query(
      `WITH agreement AS (
         SELECT a.worker_id, count(*)::int AS compared, count(*) FILTER (WHERE a.value = r.label)::int AS agreed
           FROM answers a JOIN item_results r ON r.item_id = a.item_id
          WHERE a.dataset_id = $1 AND a.accepted AND NOT a.is_gold AND r.label IS NOT NULL
          GROUP BY a.worker_id),
       written AS (
         UPDATE worker_stats w SET regular_compared = g.compared, regular_agreed = g.agreed
           FROM agreement g WHERE w.worker_id = g.worker_id AND w.dataset_id = $1
            AND (w.regular_compared, w.regular_agreed) IS DISTINCT FROM (g.compared, g.agreed)
         RETURNING w.worker_id)
       SELECT w.worker_id, w.gold_seen, w.gold_correct, coalesce(g.compared, 0) AS regular_compared, coalesce(g.agreed, 0) AS regular_agreed, w.blocked
         FROM worker_stats w LEFT JOIN agreement g ON g.worker_id = w.worker_id
        WHERE w.dataset_id = $1 AND (SELECT count(*) FROM written) >= 0`,
      [datasetId],
    );
    return rows.map((r) => ({
      workerId: r.worker_id,
      goldSeen: r.gold_seen,
      goldCorrect: r.gold_correct,
      regularCompared: r.regular_compared,
      regularAgreed: r.regular_agreed,
      blocked: r.blocked,
    }));
  }

  /** Blocks workers on the dataset for a reason (an existing block keeps its own reason). */
  async blockWorkers(
    manager: EntityManager,
    params: { datasetId: string; workerIds: readonly string[]; reason: string },
  ): Promise<void> {
    if (params.workerIds.length === 0) return;
    await manager.query(
      `UPDATE worker_stats SET blocked = true, block_reason = $3, updated_at = now() WHERE dataset_id = $1 AND worker_id = ANY ($2::uuid[]) AND NOT blocked`,
      [params.datasetId, params.workerIds, params.reason],
    );
  }

  /** Creates one-slot top-up tasks and raises answers_wanted of their items, in one transaction
   * with the decision, so a re-run finds the items no longer ready and creates nothing twice. */
  async createTopUps(
    manager: EntityManager,
    params: { datasetId: string; topUps: readonly TopUpTask[] },
  ): Promise<void> {
    if (params.topUps.length === 0) return;
    await manager.query(
      `INSERT INTO tasks (dataset_id, item_ids, slots, open_slots)
       SELECT $1, ARRAY(SELECT e.id::uuid FROM jsonb_array_elements_text(t.value) WITH ORDINALITY AS e(id, n) ORDER BY e.n), 1, 1
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(value, n) ORDER BY t.n`,
      [params.datasetId, JSON.stringify(params.topUps.map((t) => t.itemIds))],
    );
    await manager.query(
      `UPDATE items i SET answers_wanted = u.wanted, status = '${ItemStatus.IN_PROGRESS}' FROM unnest($1::uuid[], $2::int[]) AS u(id, wanted)
        WHERE i.id = u.id AND u.wanted > i.answers_wanted`,
      [params.topUps.flatMap((t) => t.itemIds), params.topUps.flatMap((t) => t.answersWanted)],
    );
  }

  async saveFullRun(manager: EntityManager, state: FullRunState): Promise<void> {
    await manager.query(
      `INSERT INTO dataset_consensus (dataset_id, fleiss_kappa, krippendorff_alpha, mean_confidence, method, full_run_answers, full_run_requested_answers, last_full_run_at)
       VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)
       ON CONFLICT (dataset_id) DO UPDATE SET fleiss_kappa = EXCLUDED.fleiss_kappa, krippendorff_alpha = EXCLUDED.krippendorff_alpha,
         mean_confidence = EXCLUDED.mean_confidence, method = EXCLUDED.method, full_run_answers = EXCLUDED.full_run_answers,
         full_run_requested_answers = NULL, last_full_run_at = EXCLUDED.last_full_run_at, updated_at = now()`,
      [
        state.datasetId,
        finiteOrNull(state.fleissKappa),
        finiteOrNull(state.krippendorffAlpha),
        finiteOrNull(state.meanConfidence),
        state.method,
        state.answers,
        state.at,
      ],
    );
  }

  async markFullRunRequested(manager: EntityManager, params: { datasetId: string; answers: number }): Promise<void> {
    await manager.query(
      `INSERT INTO dataset_consensus (dataset_id, full_run_requested_answers) VALUES ($1, $2)
       ON CONFLICT (dataset_id) DO UPDATE SET full_run_requested_answers = EXCLUDED.full_run_requested_answers, updated_at = now()`,
      [params.datasetId, params.answers],
    );
  }

  async markBudgetExhausted(manager: EntityManager, datasetId: string): Promise<void> {
    await manager.query(
      `INSERT INTO dataset_consensus (dataset_id, overlap_budget_exhausted) VALUES ($1, true)
       ON CONFLICT (dataset_id) DO UPDATE SET overlap_budget_exhausted = true, updated_at = now() WHERE NOT dataset_consensus.overlap_budget_exhausted`,
      [datasetId],
    );
  }
}

export function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}
