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
  await recordEarnings(manager, [earning]);
}

// The rewards of a verdict's batch in one statement (one run of the ledger's statement triggers).
export async function recordEarnings(
  manager: EntityManager,
  earnings: readonly {
    accountId: string;
    datasetId: string;
    assignmentId: string;
    amount: bigint;
    availableAt: Date;
  }[],
): Promise<void> {
  await recordCredits(
    manager,
    earnings.map((earning) => ({
      ...earning,
      kind: LedgerKind.EARNING,
      idempotencyKey: `earning:${earning.assignmentId}`,
    })),
  );
}

// A reviewer's reward for a resolved dispute: one per case. Paid in the normal payout batches
// (the settlement queue takes REVIEW_REWARD entries like earnings; the manifest names them by
// their ledger entry, having no assignment).
export async function recordReviewReward(
  manager: EntityManager,
  reward: { accountId: string; datasetId: string; disputeId: string; amount: bigint; availableAt: Date },
): Promise<void> {
  await recordCredits(manager, [
    {
      ...reward,
      assignmentId: null,
      kind: LedgerKind.REVIEW_REWARD,
      idempotencyKey: `review-reward:${reward.disputeId}`,
    },
  ]);
}

async function recordCredits(
  manager: EntityManager,
  credits: readonly {
    accountId: string;
    kind: LedgerKind;
    datasetId: string;
    assignmentId: string | null;
    amount: bigint;
    availableAt: Date;
    idempotencyKey: string;
  }[],
): Promise<void> {
  const rows = credits.filter((credit) => credit.amount > 0n);
  if (rows.length === 0) return;
  await manager.query(
    `INSERT INTO ledger_entries (account_id, kind, amount, dataset_id, assignment_id, available_at, idempotency_key)
     SELECT x.account_id, x.kind, x.amount::numeric, x.dataset_id, x.assignment_id, x.available_at, x.idempotency_key
       FROM jsonb_to_recordset($1::jsonb) AS x(account_id uuid, kind text, amount text, dataset_id uuid, assignment_id uuid, available_at timestamptz, idempotency_key text)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      JSON.stringify(
        rows.map((credit) => ({
          account_id: credit.accountId,
          kind: credit.kind,
          amount: credit.amount.toString(),
          dataset_id: credit.datasetId,
          assignment_id: credit.assignmentId,
          available_at: credit.availableAt.toISOString(),
          idempotency_key: credit.idempotencyKey,
        })),
      ),
    ],
  );
}
