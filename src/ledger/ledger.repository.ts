import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { BalanceParts } from './balances';

// The statement of one account's balance parts; the history-cost test (invariant 11) measures this
// same statement.
export function balanceStatement(accountId: string, now: Date): { text: string; values: unknown[] } {
  return {
    text: `SELECT coalesce(b.total, 0)::text AS total, coalesce(b.earned, 0)::text AS earned,
                (SELECT coalesce(sum(u.amount) FILTER (WHERE u.available_at > $2), 0) FROM ledger_unsettled u WHERE u.account_id = $1)::text AS pending,
                (SELECT coalesce(sum(u.amount) FILTER (WHERE u.available_at <= $2), 0) FROM ledger_unsettled u WHERE u.account_id = $1)::text AS available,
                -- A FAILED batch not yet released still holds its debits (a reorg may pay it): in flight.
                (SELECT coalesce(sum(i.amount), 0) FROM payout_batches pb JOIN payout_items i ON i.payout_batch_id = pb.id AND i.account_id = $1
                  WHERE pb.status IN ('PENDING', 'SUBMITTED') OR (pb.status = 'FAILED' AND pb.released_at IS NULL))::text AS in_flight
           FROM (SELECT 1) one LEFT JOIN ledger_balances b ON b.account_id = $1`,
    values: [accountId, now],
  };
}

// The ledger reads behind an account's balances.
@Injectable()
export class LedgerRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One account's balance parts in ONE statement (one snapshot, so the parts add up): its running
   * totals, its settlement queue split at now, and its items in live batches (found from the few
   * live batches, not from its history of paid ones).
   */
  async balanceParts(accountId: string, now: Date): Promise<BalanceParts> {
    const statement = balanceStatement(accountId, now);
    const [row] = (await this.dataSource.query(statement.text, statement.values)) as {
      total: string;
      earned: string;
      pending: string;
      available: string;
      in_flight: string;
    }[];
    return {
      pending: BigInt(row.pending),
      available: BigInt(row.available),
      inFlight: BigInt(row.in_flight),
      earned: BigInt(row.earned),
      total: BigInt(row.total),
    };
  }
}
