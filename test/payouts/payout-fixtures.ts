// Ledger and account set-up for the payout tests, straight into the database (the tasks area's
// acceptance flow is tested there; here only the money matters), plus the invariant checks
// every payout test ends with.
import { randomUUID } from 'node:crypto';
import { Wallet } from 'ethers';
import type { DataSource } from 'typeorm';
import { recordEarning } from '../../src/ledger/earnings';
import type { TestChain } from '../chain/test-chain';
import { paidOutOnChain } from '../chain/test-chain';

export const TOKEN = 10n ** 18n;

export interface Labeler {
  id: string;
  address: string;
}

export async function createLabelers(dataSource: DataSource, n: number): Promise<Labeler[]> {
  const addresses = Array.from({ length: n }, () => Wallet.createRandom().address.toLowerCase());
  const rows = (await dataSource.query(
    `INSERT INTO accounts (address) SELECT unnest($1::text[]) RETURNING id, address`,
    [addresses],
  )) as Labeler[];
  return rows;
}

export async function earn(
  dataSource: DataSource,
  params: { accountId: string; amount: bigint; availableAt?: Date; assignmentId?: string },
): Promise<string> {
  const assignmentId = params.assignmentId ?? randomUUID();
  await recordEarning(dataSource.manager, {
    accountId: params.accountId,
    datasetId: randomUUID(),
    assignmentId,
    amount: params.amount,
    availableAt: params.availableAt ?? new Date(0),
  });
  return assignmentId;
}

/** n new labelers with one matured earning of `amount` each. */
export async function labelersWithEarnings(dataSource: DataSource, n: number, amount = TOKEN): Promise<Labeler[]> {
  const labelers = await createLabelers(dataSource, n);
  for (const l of labelers) await earn(dataSource, { accountId: l.id, amount });
  return labelers;
}

/** Polls until check() returns a value (not undefined) or fails the test after timeoutMs. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not reached within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function statusesOf(dataSource: DataSource): Promise<Record<string, number>> {
  const rows = (await dataSource.query(
    `SELECT status, count(*)::int AS n FROM payout_batches WHERE kind = 'PAYOUT' GROUP BY status`,
  )) as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/**
 * Invariants 5 and 6, checked against the real chain:
 * - every labeler's token balance equals the sum of their items in CONFIRMED batches;
 * - sum of CONFIRMED totals == −(PAYOUT + PAYOUT_REVERSAL entries of those batches) == tokens
 *   that left the vault (all BatchPaid totals);
 * - per account, ledger balance == its settlement queue (batched amounts are already debited);
 * - no ledger entry is settled by two non-failed batches.
 */
export async function expectReconciled(
  dataSource: DataSource,
  testChain: TestChain,
  labelers: Labeler[],
): Promise<void> {
  for (const labeler of labelers) {
    const [row] = (await dataSource.query(
      `SELECT coalesce(sum(i.amount), 0) AS paid FROM payout_items i JOIN payout_batches b ON b.id = i.payout_batch_id WHERE b.status = 'CONFIRMED' AND i.account_id = $1`,
      [labeler.id],
    )) as { paid: string }[];
    expect({ address: labeler.address, balance: await testChain.balanceOf(labeler.address) }).toEqual({
      address: labeler.address,
      balance: BigInt(row.paid),
    });
  }
  const [sums] = (await dataSource.query(
    `SELECT (SELECT coalesce(sum(total), 0) FROM payout_batches WHERE status = 'CONFIRMED' AND kind = 'PAYOUT') AS confirmed,
            (SELECT coalesce(-sum(l.amount), 0) FROM ledger_entries l JOIN payout_batches b ON b.id = l.payout_batch_id
              WHERE b.status = 'CONFIRMED' AND l.kind IN ('PAYOUT', 'PAYOUT_REVERSAL')) AS debited`,
  )) as { confirmed: string; debited: string }[];
  expect(BigInt(sums.debited)).toBe(BigInt(sums.confirmed));
  expect(await paidOutOnChain(testChain)).toBe(BigInt(sums.confirmed));
  const drift = (await dataSource.query(
    `SELECT a.id FROM accounts a
      WHERE (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE account_id = a.id)
         <> (SELECT coalesce(sum(amount), 0) FROM ledger_unsettled WHERE account_id = a.id)`,
  )) as unknown[];
  expect(drift).toEqual([]);
  const doubles = (await dataSource.query(
    `SELECT e.entry_id FROM payout_items i CROSS JOIN LATERAL unnest(i.entry_ids) AS e(entry_id) JOIN payout_batches b ON b.id = i.payout_batch_id
      WHERE b.status <> 'FAILED' GROUP BY e.entry_id HAVING count(*) > 1`,
  )) as unknown[];
  expect(doubles).toEqual([]);
}
