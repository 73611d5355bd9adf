import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { SPEND_STRIPES } from './dataset-spend.entity';

// The price of an accepted assignment, inside the accepting transaction. Adds to one stripe (by
// assignment id) with an upsert: no read, no lost increment, and concurrent acceptances on one
// dataset mostly touch different rows.
export async function recordSpend(
  manager: EntityManager,
  params: { datasetId: string; assignmentId: string; amount: bigint },
): Promise<void> {
  const { stripes, amounts } = spendStripes([params]);
  if (stripes.length === 0) return;
  await manager.query(upsertSpendsSql({ dataset: '$1', stripes: '$2', amounts: '$3' }), [
    params.datasetId,
    stripes,
    amounts,
  ]);
}

// Prices summed per stripe, stripes ascending, for upsertSpendsSql: one upsert may touch a row only
// once, and two verdicts lock the stripes they share in the same order.
export function spendStripes(spends: readonly { assignmentId: string; amount: bigint }[]): {
  stripes: number[];
  amounts: string[];
} {
  const byStripe = new Map<number, bigint>();
  for (const spend of spends)
    if (spend.amount > 0n)
      byStripe.set(stripeOf(spend.assignmentId), (byStripe.get(stripeOf(spend.assignmentId)) ?? 0n) + spend.amount);
  const stripes = [...byStripe.keys()].sort((x, y) => x - y);
  return { stripes, amounts: stripes.map((stripe) => (byStripe.get(stripe) as bigint).toString()) };
}

// The one upsert of spend stripes, for a statement that writes more than spends (a verdict's):
// placeholders for the dataset and spendStripes()'s two arrays, and an SQL condition that such a
// statement uses to run the upsert after the rows it must lock first (`true` for none).
export function upsertSpendsSql(p: { dataset: string; stripes: string; amounts: string }, after = 'true'): string {
  return `INSERT INTO dataset_spend (dataset_id, stripe, amount)
     SELECT ${p.dataset}::uuid, x.stripe, x.amount::numeric FROM unnest(${p.stripes}::int[], ${p.amounts}::text[]) AS x(stripe, amount)
      WHERE ${after} ORDER BY x.stripe
     ON CONFLICT (dataset_id, stripe) DO UPDATE SET amount = dataset_spend.amount + EXCLUDED.amount`;
}

// budget += delta (negative for a reversed deposit), an SQL increment. The one writer of budget
// for admin credits and on-chain deposits; false when there is no such dataset.
export async function changeBudget(
  manager: EntityManager,
  params: { datasetId: string; delta: bigint },
): Promise<boolean> {
  const rows = await queryRows(
    manager,
    'UPDATE datasets SET budget = budget + $2::numeric, updated_at = now() WHERE id = $1 RETURNING id',
    [params.datasetId, params.delta.toString()],
  );
  return rows.length === 1;
}

export interface DatasetFunds {
  budget: bigint;
  committed: bigint;
  spent: bigint;
  refunded: bigint;
  /** What credited on-chain deposits brought (COMPLETED/CANCELLED datasets only, else 0). */
  deposited: bigint;
  /** Assignments ACTIVE / SUBMITTED (COMPLETED/CANCELLED datasets only, else 0). */
  activeAssignments: number;
  submittedAssignments: number;
}

// The money of datasets as it is now (the dataset_funds view: stripes included, committed of an
// ended dataset derived from what is still in flight) and the facts a refund decision needs.
export async function fundsOf(manager: EntityManager, datasetIds: string[]): Promise<Map<string, DatasetFunds>> {
  if (datasetIds.length === 0) return new Map();
  const rows: {
    id: string;
    budget: string;
    committed: string;
    spent: string;
    refunded: string;
    deposited: string;
    active_assignments: number;
    submitted_assignments: number;
  }[] = await manager.query(
    `SELECT id, budget::text, committed::text, spent::text, refunded::text, deposited::text, active_assignments, submitted_assignments
       FROM dataset_funds WHERE id = ANY ($1::uuid[])`,
    [datasetIds],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        budget: BigInt(r.budget),
        committed: BigInt(r.committed),
        spent: BigInt(r.spent),
        refunded: BigInt(r.refunded),
        deposited: BigInt(r.deposited),
        activeAssignments: r.active_assignments,
        submittedAssignments: r.submitted_assignments,
      },
    ]),
  );
}

function stripeOf(assignmentId: string): number {
  return Number.parseInt(assignmentId.slice(0, 4), 16) % SPEND_STRIPES;
}
