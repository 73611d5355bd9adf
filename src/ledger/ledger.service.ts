import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { balancesFrom, type Balances } from './balances';

@Injectable()
export class LedgerService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One account's balances (see balances.ts). Reads one snapshot so the parts add up. */
  async balancesOf(accountId: string): Promise<Balances> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const unsettled = (await manager.query(`SELECT amount, available_at FROM ledger_unsettled WHERE account_id = $1`, [accountId])) as { amount: string; available_at: Date }[];
      const batches = (await manager.query(
        // A FAILED batch not yet released still holds its debits (a reorg may pay it): in flight.
        `SELECT CASE WHEN b.status = 'FAILED' AND b.released_at IS NULL THEN 'SUBMITTED' ELSE b.status END AS status, sum(i.amount) AS amount
           FROM payout_items i JOIN payout_batches b ON b.id = i.payout_batch_id WHERE i.account_id = $1 GROUP BY 1`,
        [accountId],
      )) as { status: string; amount: string }[];
      return balancesFrom({
        unsettled: unsettled.map((u) => ({ amount: BigInt(u.amount), availableAt: new Date(u.available_at) })),
        batches: batches.map((b) => ({ status: b.status, amount: BigInt(b.amount) })),
        now: this.clock.now(),
      });
    });
  }
}
