import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { REVIEW_METHOD, topUpHeadroom } from '../consensus/consensus-read.repository';
import { fundsOf } from '../datasets/dataset-funds';
import { queryRows } from '../database/query-rows';
import type { DatasetStatus, ItemStatus, LabelSchema } from '../datasets/dataset-status';
import type { DisputeOutcome } from './dispute-status';

export interface ResolutionTerms {
  status: DatasetStatus;
  labelSchema: LabelSchema;
  rewardPerAnswer: bigint;
  goldPerTask: number;
  maxAnswersPerItem: number;
}

export interface DecidedItem {
  status: ItemStatus;
  answerCount: number;
  reviewed: boolean;
}

export interface GoldState {
  id: string;
  goldLabel: unknown;
  retired: boolean;
  version: number;
}

export interface DecisionRow {
  itemId: string;
  verdict: 'LABEL' | 'KEEP' | 'CORRECT' | 'RETIRE';
  goldVersion: number | null;
  result: unknown;
}

// The writes of a resolution, inside its transaction (which holds the dataset's consensus lock,
// the case row and the dataset row).
@Injectable()
export class ResolutionRepository {
  async terms(manager: EntityManager, datasetId: string): Promise<ResolutionTerms> {
    const [d] = await queryRows<{
      status: DatasetStatus;
      label_schema: LabelSchema;
      reward_per_answer: string;
      gold_per_task: number;
      max_answers_per_item: number;
    }>(
      manager,
      'SELECT status, label_schema, reward_per_answer, gold_per_task, max_answers_per_item FROM datasets WHERE id = $1',
      [datasetId],
    );
    return {
      status: d.status,
      labelSchema: d.label_schema,
      rewardPerAnswer: BigInt(d.reward_per_answer),
      goldPerTask: d.gold_per_task,
      maxAnswersPerItem: d.max_answers_per_item,
    };
  }

  async lockItem(manager: EntityManager, itemId: string): Promise<DecidedItem> {
    const [row] = await queryRows<{ status: ItemStatus; answer_count: number; reviewed: boolean }>(
      manager,
      `SELECT i.status, i.answer_count, EXISTS (SELECT 1 FROM item_results r WHERE r.item_id = i.id AND r.method = '${REVIEW_METHOD}') AS reviewed
         FROM items i WHERE i.id = $1 FOR UPDATE OF i`,
      [itemId],
    );
    return { status: row.status, answerCount: row.answer_count, reviewed: row.reviewed };
  }

  // The reviewer's label is final: method REVIEW (consensus never rewrites such a row) and the
  // item RESOLVED (consensus never settles it again).
  async setReviewLabel(
    manager: EntityManager,
    params: { datasetId: string; itemId: string; label: unknown },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO item_results (item_id, dataset_id, label, confidence, answers, method)
       SELECT i.id, $2, $3::jsonb, 1, i.answer_count, '${REVIEW_METHOD}' FROM items i WHERE i.id = $1
       ON CONFLICT (item_id) DO UPDATE SET label = EXCLUDED.label, confidence = 1, answers = EXCLUDED.answers, method = '${REVIEW_METHOD}',
         version = item_results.version + 1, updated_at = now()`,
      [params.itemId, params.datasetId, JSON.stringify(params.label)],
    );
    await manager.query(`UPDATE items SET status = 'RESOLVED' WHERE id = $1`, [params.itemId]);
  }

  // One more answer for the item: a one-slot task (claim_task adds its gold) and the item open
  // again until it arrives; consensus then settles it (or sends it back to review).
  async requeue(manager: EntityManager, params: { datasetId: string; itemId: string }): Promise<void> {
    await manager.query(
      'INSERT INTO tasks (dataset_id, item_ids, slots, open_slots) VALUES ($1, ARRAY[$2::uuid], 1, 1)',
      [params.datasetId, params.itemId],
    );
    await manager.query(
      `UPDATE items SET answers_wanted = greatest(answers_wanted, answer_count + 1), status = 'IN_PROGRESS' WHERE id = $1`,
      [params.itemId],
    );
  }

  /** Money a requeue may use: what dynamic overlap may still spend from the commitment, then
   * the budget nothing is committed to. */
  async requeueFunds(manager: EntityManager, datasetId: string): Promise<{ free: bigint; headroom: bigint }> {
    const funds = (await fundsOf(manager, [datasetId])).get(datasetId) as {
      budget: bigint;
      committed: bigint;
      spent: bigint;
    };
    return { free: funds.budget - funds.spent - funds.committed, headroom: await topUpHeadroom(manager, datasetId) };
  }

  async commitMore(manager: EntityManager, params: { datasetId: string; amount: bigint }): Promise<void> {
    await manager.query('UPDATE datasets SET committed = committed + $2::numeric, updated_at = now() WHERE id = $1', [
      params.datasetId,
      params.amount.toString(),
    ]);
  }

  async lockGold(manager: EntityManager, itemIds: readonly string[]): Promise<GoldState[]> {
    const rows = await queryRows<{ id: string; gold_label: unknown; gold_retired: boolean; gold_version: number }>(
      manager,
      'SELECT id, gold_label, gold_retired, gold_version FROM items WHERE id = ANY ($1::uuid[]) AND is_gold ORDER BY id FOR UPDATE',
      [itemIds],
    );
    return rows.map((r) => ({ id: r.id, goldLabel: r.gold_label, retired: r.gold_retired, version: r.gold_version }));
  }

  /** CORRECT (a new label) or RETIRE: the gold item's next version. */
  async changeGold(
    manager: EntityManager,
    params: { itemId: string; label: unknown; retire: boolean },
  ): Promise<number> {
    const [row] = await queryRows<{ gold_version: number }>(
      manager,
      `UPDATE items SET gold_label = CASE WHEN $3 THEN gold_label ELSE $2::jsonb END, gold_retired = gold_retired OR $3, gold_version = gold_version + 1
        WHERE id = $1 RETURNING gold_version`,
      [params.itemId, JSON.stringify(params.label), params.retire],
    );
    return row.gold_version;
  }

  // The answers a re-score after changing this gold item could pay at worst: every REJECTED
  // assignment of a worker who answered it, from the first verdict that counted it on (a later
  // batch's window may have included it). `excluded`: accepted by this decision already.
  async rescoreWorstCaseAnswers(
    manager: EntityManager,
    params: { datasetId: string; itemId: string; excluded: readonly string[] },
  ): Promise<bigint> {
    const [row] = await queryRows<{ answers: string }>(
      manager,
      `WITH workers AS (
         SELECT a.worker_id, min(x.verdict_at) AS since FROM answers a JOIN assignments x ON x.id = a.assignment_id
          WHERE a.item_id = $2 AND x.verdict_at IS NOT NULL GROUP BY a.worker_id)
       SELECT coalesce(sum(cardinality(x.item_ids)), 0)::text AS answers
         FROM workers w JOIN assignments x ON x.worker_id = w.worker_id AND x.dataset_id = $1 AND x.status = 'REJECTED' AND x.verdict_at >= w.since
        WHERE x.id <> ALL ($3::uuid[])`,
      [params.datasetId, params.itemId, params.excluded],
    );
    return BigInt(row.answers);
  }

  async insertRescore(
    manager: EntityManager,
    params: { datasetId: string; itemId: string; goldVersion: number; earmark: bigint },
  ): Promise<string> {
    const [row] = await queryRows<{ id: string }>(
      manager,
      'INSERT INTO gold_rescores (dataset_id, item_id, gold_version, earmark) VALUES ($1, $2, $3, $4::numeric) RETURNING id',
      [params.datasetId, params.itemId, params.goldVersion, params.earmark.toString()],
    );
    return row.id;
  }

  /** Whether another case corrected or retired one of these gold items since `since`. */
  async goldChangedSince(
    manager: EntityManager,
    params: { itemIds: readonly string[]; since: Date },
  ): Promise<boolean> {
    const [row] = await queryRows<{ changed: boolean }>(
      manager,
      `SELECT EXISTS (SELECT 1 FROM dispute_decisions WHERE item_id = ANY ($1::uuid[]) AND verdict IN ('CORRECT', 'RETIRE') AND decided_at >= $2) AS changed`,
      [params.itemIds, params.since],
    );
    return row.changed;
  }

  /** A gold verdict closes every other open GOLD_CONTEST about that item with the same decision. */
  async closeGoldContests(
    manager: EntityManager,
    params: { itemId: string; exceptId: string; outcome: DisputeOutcome; note: string; at: Date },
  ): Promise<number> {
    const rows = await queryRows(
      manager,
      `UPDATE disputes SET status = 'RESOLVED', outcome = $3, note = $4, resolved_at = $5, lease_expires_at = NULL
        WHERE item_id = $1 AND kind = 'GOLD_CONTEST' AND status <> 'RESOLVED' AND id <> $2 RETURNING id`,
      [params.itemId, params.exceptId, params.outcome, params.note, params.at],
    );
    return rows.length;
  }

  async recordDecisions(
    manager: EntityManager,
    params: { disputeId: string; reviewerId: string; at: Date; decisions: readonly DecisionRow[] },
  ): Promise<void> {
    if (params.decisions.length === 0) return;
    await manager.query(
      `INSERT INTO dispute_decisions (dispute_id, item_id, reviewer_id, verdict, gold_version, result, decided_at)
       SELECT $1, x.item_id, $2, x.verdict, x.gold_version, x.result, $3 FROM jsonb_to_recordset($4::jsonb) AS x(item_id uuid, verdict text, gold_version int, result jsonb)`,
      [
        params.disputeId,
        params.reviewerId,
        params.at,
        JSON.stringify(
          params.decisions.map((d) => ({
            item_id: d.itemId,
            verdict: d.verdict,
            gold_version: d.goldVersion,
            result: d.result,
          })),
        ),
      ],
    );
  }

  async finish(
    manager: EntityManager,
    params: { id: string; outcome: DisputeOutcome; note: string; by: string; at: Date; leasedAt: Date | null },
  ): Promise<void> {
    await manager.query(
      `UPDATE disputes SET status = 'RESOLVED', outcome = $2, note = $3, resolved_by = $4, resolved_at = $5, reviewer_id = $4, leased_at = coalesce($6, leased_at, $5), lease_expires_at = NULL
        WHERE id = $1`,
      [params.id, params.outcome, params.note, params.by, params.at, params.leasedAt],
    );
  }
}
