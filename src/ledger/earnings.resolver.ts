import { Query, Resolver } from '@nestjs/graphql';
import { CurrentAccount, type Principal } from '../auth/current-account';
import { EarningsModel } from './earnings.model';
import { LedgerService } from './ledger.service';

@Resolver(() => EarningsModel)
export class EarningsResolver {
  constructor(private readonly ledger: LedgerService) {}

  @Query(() => EarningsModel, { description: "The caller's own balances." })
  async myEarnings(@CurrentAccount() principal: Principal): Promise<EarningsModel> {
    return Object.assign(new EarningsModel(), await this.ledger.balancesOf(principal.id));
  }
}
