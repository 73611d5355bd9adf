import type { EntityManager } from 'typeorm';
import { LedgerKind } from './ledger-entry.entity';

// Credits written inside the transaction that earns them, so the credit and its cause commit
// together. Each is idempotent on a key derived from its cause. Plain SQL: they run on every
// acceptance.

// An accepted assignment's reward (also a retroactive acceptance): one per assignment, whatever
// decides it and however often.
export async function recordEarning(
  manager: EntityManager,
  earning: { accountId: string; datasetId: string; assignmentId: string; amount: bigint; availableAt: Date },
): Promise<void> {
  await recordCredit(manager, {
    ...earning,
    kind: LedgerKind.EARNING,
    idempotencyKey: `earning:${earning.assignmentId}`,
  });
}

// A reviewer's reward for a resolved dispute: one per case. Paid in the normal payout batches
// (the settlement queue takes REVIEW_REWARD entries like earnings; the manifest names them by
// their ledger entry, having no assignment).
export async function recordReviewReward(
  manager: EntityManager,
  reward: { accountId: string; datasetId: string; disputeId: string; amount: bigint; availableAt: Date },
): Promise<void> {
  await recordCredit(manager, {
    ...reward,
    assignmentId: null,
    kind: LedgerKind.REVIEW_REWARD,
    idempotencyKey: `review-reward:${reward.disputeId}`,
  });
}

async function recordCredit(
  manager: EntityManager,
  credit: {
    accountId: string;
    kind: LedgerKind;
    datasetId: string;
    assignmentId: string | null;
    amount: bigint;
    availableAt: Date;
    idempotencyKey: string;
  },
): Promise<void> {
  if (credit.amount <= 0n) return;
  await manager.query(
    `INSERT INTO ledger_entries (account_id, kind, amount, dataset_id, assignment_id, available_at, idempotency_key)
     VALUES ($1, $2, $3::numeric, $4, $5, $6, $7)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      credit.accountId,
      credit.kind,
      credit.amount.toString(),
      credit.datasetId,
      credit.assignmentId,
      credit.availableAt,
      credit.idempotencyKey,
    ],
  );
}
