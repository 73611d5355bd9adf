import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock';
import { balancesFrom, type Balances } from './balances';
import { LedgerRepository } from './ledger.repository';

@Injectable()
export class LedgerService {
  constructor(
    private readonly ledger: LedgerRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One account's balances (see balances.ts), from one snapshot (LedgerRepository.balanceParts). */
  async balancesOf(accountId: string): Promise<Balances> {
    return balancesFrom(await this.ledger.balanceParts(accountId, this.clock.now()));
  }
}
