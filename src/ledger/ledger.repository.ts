import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

// What balances.ts needs of one account: its entries still in the settlement queue, and what
// its payout items add up to per batch status.
@Injectable()
export class LedgerRepository {
  async unsettled(manager: EntityManager, accountId: string): Promise<{ amount: bigint; availableAt: Date }[]> {
    const rows = (await manager.query(`SELECT amount, available_at FROM ledger_unsettled WHERE account_id = $1`, [accountId])) as { amount: string; available_at: Date }[];
    return rows.map((u) => ({ amount: BigInt(u.amount), availableAt: new Date(u.available_at) }));
  }

  async batchedByStatus(manager: EntityManager, accountId: string): Promise<{ status: string; amount: bigint }[]> {
    const rows = (await manager.query(
      `SELECT b.status, sum(i.amount) AS amount FROM payout_items i JOIN payout_batches b ON b.id = i.payout_batch_id WHERE i.account_id = $1 GROUP BY b.status`,
      [accountId],
    )) as { status: string; amount: string }[];
    return rows.map((b) => ({ status: b.status, amount: BigInt(b.amount) }));
  }
}
