import type { EntityManager } from 'typeorm';
import { LedgerKind } from './ledger-entry.entity';

// Credits written inside the transaction that earns them, so the credit and its cause commit
// together. Each is idempotent on a key derived from its cause. Plain SQL: they run on every
// acceptance.

/** An accepted assignment's reward. */
export interface Earning {
  accountId: string;
  datasetId: string;
  assignmentId: string;
  amount: bigint;
  availableAt: Date;
}

// An accepted assignment's reward (also a retroactive acceptance): one per assignment, whatever
// decides it and however often. A verdict's batch writes its rewards in its own statement, with
// insertCreditsSql and earningRows.
export async function recordEarning(manager: EntityManager, earning: Earning): Promise<void> {
  await recordCredits(manager, [earningCredit(earning)]);
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

interface Credit {
  accountId: string;
  kind: LedgerKind;
  datasetId: string;
  assignmentId: string | null;
  amount: bigint;
  availableAt: Date;
  idempotencyKey: string;
}

// An accepted assignment's reward as a credit: its idempotency key is the assignment.
function earningCredit(earning: Earning): Credit {
  return { ...earning, kind: LedgerKind.EARNING, idempotencyKey: `earning:${earning.assignmentId}` };
}

// The one INSERT of credits, for a statement that writes more than credits (a verdict's): the
// rows are earningRows()'s jsonb array, in the placeholder `rows`. An existing key is skipped.
export function insertCreditsSql(rows: string): string {
  return `INSERT INTO ledger_entries (account_id, kind, amount, dataset_id, assignment_id, available_at, idempotency_key)
     SELECT x.account_id, x.kind, x.amount::numeric, x.dataset_id, x.assignment_id, x.available_at, x.idempotency_key
       FROM jsonb_to_recordset(${rows}::jsonb) AS x(account_id uuid, kind text, amount text, dataset_id uuid, assignment_id uuid, available_at timestamptz, idempotency_key text)
     ON CONFLICT (idempotency_key) DO NOTHING`;
}

// Earnings as insertCreditsSql's rows (an empty array when none has an amount).
export function earningRows(earnings: readonly Earning[]): string {
  return creditRows(earnings.map(earningCredit));
}

function creditRows(credits: readonly Credit[]): string {
  return JSON.stringify(
    credits
      .filter((credit) => credit.amount > 0n)
      .map((credit) => ({
        account_id: credit.accountId,
        kind: credit.kind,
        amount: credit.amount.toString(),
        dataset_id: credit.datasetId,
        assignment_id: credit.assignmentId,
        available_at: credit.availableAt.toISOString(),
        idempotency_key: credit.idempotencyKey,
      })),
  );
}

async function recordCredits(manager: EntityManager, credits: readonly Credit[]): Promise<void> {
  if (!credits.some((credit) => credit.amount > 0n)) return;
  await manager.query(insertCreditsSql('$1'), [creditRows(credits)]);
}
