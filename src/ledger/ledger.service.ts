import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { balancesFrom, type Balances } from './balances';
import { LedgerRepository } from './ledger.repository';

@Injectable()
export class LedgerService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One account's balances (see balances.ts). Reads one snapshot so the parts add up. */
  async balancesOf(accountId: string): Promise<Balances> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) =>
      balancesFrom({
        unsettled: await this.ledger.unsettled(manager, accountId),
        batches: await this.ledger.batchedByStatus(manager, accountId),
        now: this.clock.now(),
      }),
    );
  }
}
