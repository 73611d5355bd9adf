import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';

// The dispute reserve of a dataset: committed at publish (datasets.dispute_reserve, part of
// `committed`), spent only by retroactive acceptances and review rewards — never the labeling
// commitment, never another dataset's money. A gold re-score holds an earmark of it from the
// resolution that starts it until it finishes (gold_rescores.earmark − paid), so two
// resolutions cannot both count on the same money. Every write here runs under the dataset row
// lock its caller took (lockReserve). A spend moves the amount from committed to spent on the
// row, so spent + committed never changes and never exceeds the budget.

export interface ReserveState {
  reserve: bigint;
  /** Earmarked for re-scores still running. */
  held: bigint;
  reviewReward: bigint;
}

export async function lockReserve(manager: EntityManager, datasetId: string): Promise<ReserveState> {
  const [row] = await queryRows<{ reserve: string; held: string; review_reward: string }>(
    manager,
    `SELECT d.dispute_reserve::text AS reserve, d.review_reward::text AS review_reward,
            (SELECT coalesce(sum(g.earmark - g.paid), 0) FROM gold_rescores g WHERE g.dataset_id = d.id AND g.finished_at IS NULL)::text AS held
       FROM datasets d WHERE d.id = $1 FOR UPDATE OF d`,
    [datasetId],
  );
  return { reserve: BigInt(row.reserve), held: BigInt(row.held), reviewReward: BigInt(row.review_reward) };
}

/** What a new decision may still spend or earmark. */
export function freeReserve(state: ReserveState): bigint {
  return state.reserve - state.held;
}

/** committed → spent, out of the reserve. The caller checked it fits (freeReserve or its earmark). */
export async function spendReserve(
  manager: EntityManager,
  params: { datasetId: string; amount: bigint },
): Promise<void> {
  if (params.amount <= 0n) return;
  const rows = await queryRows(
    manager,
    `UPDATE datasets SET dispute_reserve = dispute_reserve - $2::numeric, committed = committed - $2::numeric, spent = spent + $2::numeric, updated_at = now()
      WHERE id = $1 AND dispute_reserve >= $2::numeric RETURNING id`,
    [params.datasetId, params.amount.toString()],
  );
  if (rows.length !== 1) throw new Error('dispute reserve overdrawn');
}

/** A finished dataset whose appeal window is over gives back what is left of its reserve: it
 * leaves `committed` and becomes refundable. */
export async function releaseReserve(manager: EntityManager, datasetId: string): Promise<bigint> {
  const [row] = await queryRows<{ released: string }>(
    manager,
    `UPDATE datasets d SET committed = d.committed - old.reserve, dispute_reserve = 0, updated_at = now()
       FROM (SELECT id, dispute_reserve AS reserve FROM datasets WHERE id = $1) old
      WHERE d.id = old.id AND old.reserve > 0 RETURNING old.reserve::text AS released`,
    [datasetId],
  );
  return row ? BigInt(row.released) : 0n;
}
