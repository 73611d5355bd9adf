import type { EntityManager } from 'typeorm';
import { LedgerEntryEntity, LedgerKind } from './ledger-entry.entity';

// Called inside the transaction that accepts an assignment, so the earning and the acceptance
// commit together. Idempotent on the assignment id.
export async function recordEarning(manager: EntityManager, earning: { accountId: string; datasetId: string; assignmentId: string; amount: bigint; availableAt: Date }): Promise<void> {
  if (earning.amount <= 0n) return;
  await manager
    .createQueryBuilder()
    .insert()
    .into(LedgerEntryEntity)
    .values({ accountId: earning.accountId, kind: LedgerKind.EARNING, amount: earning.amount, datasetId: earning.datasetId, assignmentId: earning.assignmentId, payoutBatchId: null, availableAt: earning.availableAt, idempotencyKey: `earning:${earning.assignmentId}` })
    .orIgnore()
    .execute();
}
