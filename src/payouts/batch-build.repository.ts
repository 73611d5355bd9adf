import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { rowsOf } from '../database/query-rows';
import { LedgerKind } from '../ledger/ledger-entry.entity';
import type { ClaimedEntry } from './payout-plan';
import { PayoutBatchEntity } from './payout-batch.entity';

export interface PayableAccount {
  accountId: string;
  address: string;
}

interface UnsettledRow {
  entry_id: string;
  account_id: string;
  kind: string;
  amount: string;
  assignment_id: string | null;
  available_at: Date;
}

/** A settlement-queue entry taken out for a batch, with what putting it back needs. */
export type TakenEntry = ClaimedEntry & { availableAt: Date };

// The statement of takeEntries; the history-cost test (invariant 11) measures this same statement.
export function takeEntriesStatement(params: { accountIds: string[]; now: Date }): { text: string; values: unknown[] } {
  return {
    text: `DELETE FROM ledger_unsettled WHERE account_id = ANY($1::uuid[]) AND available_at <= $2 RETURNING entry_id, account_id, kind, amount, assignment_id, available_at`,
    values: [params.accountIds, params.now],
  };
}

// The SQL of building a payout batch, all inside the builder's transaction: pick the payable
// accounts, take their entries out of the settlement queue (each DELETE claims an entry once),
// put back what the plan returns, write the batch with its items and debits.
@Injectable()
export class BatchBuildRepository {
  /**
   * Accounts whose matured balance is at least `minAmount`, oldest payable first (a backlog larger
   * than one run is served fairly). Blocked accounts keep their balance until unblocked.
   */
  async payableAccounts(
    manager: EntityManager,
    params: { now: Date; minAmount: bigint; limit: number },
  ): Promise<PayableAccount[]> {
    const rows = (await manager.query(
      `SELECT u.account_id, a.address FROM ledger_unsettled u JOIN accounts a ON a.id = u.account_id
        WHERE u.available_at <= $1 AND NOT a.blocked
        GROUP BY u.account_id, a.address HAVING sum(u.amount) >= greatest($2::numeric, 1)
        ORDER BY min(u.available_at), u.account_id LIMIT $3`,
      [params.now, params.minAmount.toString(), params.limit],
    )) as { account_id: string; address: string }[];
    return rows.map((r) => ({ accountId: r.account_id, address: r.address }));
  }

  /** Takes the matured entries of these accounts out of the settlement queue. */
  async takeEntries(manager: EntityManager, params: { accountIds: string[]; now: Date }): Promise<TakenEntry[]> {
    const statement = takeEntriesStatement(params);
    const rows = rowsOf<UnsettledRow>(await manager.query(statement.text, statement.values));
    return rows.map((r) => ({
      entryId: r.entry_id,
      accountId: r.account_id,
      kind: r.kind,
      amount: BigInt(r.amount),
      assignmentId: r.assignment_id,
      availableAt: r.available_at,
    }));
  }

  /** Puts entries back into the settlement queue as they were. */
  async putBack(manager: EntityManager, entries: TakenEntry[]): Promise<void> {
    await manager.query(
      `INSERT INTO ledger_unsettled (entry_id, account_id, kind, amount, assignment_id, available_at)
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::numeric[], $5::uuid[], $6::timestamptz[])`,
      [
        entries.map((e) => e.entryId),
        entries.map((e) => e.accountId),
        entries.map((e) => e.kind),
        entries.map((e) => e.amount.toString()),
        entries.map((e) => e.assignmentId),
        entries.map((e) => e.availableAt),
      ],
    );
  }

  /**
   * The batch row, one item per recipient and their PAYOUT debits. The ledger's guard trigger
   * refuses the debits if any balance would go negative.
   */
  async insertBatch(
    manager: EntityManager,
    params: {
      batch: Pick<PayoutBatchEntity, 'id' | 'batchId' | 'manifestHash' | 'manifest' | 'recipients' | 'total'>;
      items: { accountId: string; address: string; amount: bigint; entryIds: string[] }[];
      debitedAt: Date;
    },
  ): Promise<PayoutBatchEntity> {
    const { batch } = params;
    await manager.insert(PayoutBatchEntity, batch);
    const items = JSON.stringify(
      params.items.map((r) => ({
        account_id: r.accountId,
        address: r.address,
        amount: r.amount.toString(),
        entry_ids: r.entryIds,
      })),
    );
    await manager.query(
      `INSERT INTO payout_items (payout_batch_id, account_id, address, amount, entry_ids)
       SELECT $1, x.account_id, x.address, x.amount, x.entry_ids FROM jsonb_to_recordset($2::jsonb) AS x(account_id uuid, address text, amount numeric, entry_ids bigint[])`,
      [batch.id, items],
    );
    await manager.query(
      `INSERT INTO ledger_entries (account_id, kind, amount, payout_batch_id, available_at, idempotency_key)
       SELECT account_id, $2, -amount, payout_batch_id, $3, 'payout:' || payout_batch_id || ':' || account_id FROM payout_items WHERE payout_batch_id = $1`,
      [batch.id, LedgerKind.PAYOUT, params.debitedAt],
    );
    return manager.findOneByOrFail(PayoutBatchEntity, { id: batch.id });
  }
}
