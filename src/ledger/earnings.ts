import type { EntityManager } from 'typeorm';
import { LedgerKind } from './ledger-entry.entity';

// Called inside the transaction that accepts an assignment, so the earning and the acceptance
// commit together. Idempotent on the assignment id. Plain SQL: it runs on every acceptance.
export async function recordEarning(manager: EntityManager, earning: { accountId: string; datasetId: string; assignmentId: string; amount: bigint; availableAt: Date }): Promise<void> {
  if (earning.amount <= 0n) return;
  await manager.query(
    `INSERT INTO ledger_entries (account_id, kind, amount, dataset_id, assignment_id, available_at, idempotency_key)
     VALUES ($1, $2, $3::numeric, $4, $5, $6, $7)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [earning.accountId, LedgerKind.EARNING, earning.amount.toString(), earning.datasetId, earning.assignmentId, earning.availableAt, `earning:${earning.assignmentId}`],
  );
}
