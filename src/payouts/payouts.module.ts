import { Module } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { BatchBuildRepository } from './batch-build.repository';
import { BatchBuilderService } from './batch-builder.service';
import { PayoutChainService } from './payout-chain.service';
import { PayoutReconcilerService } from './payout-reconciler.service';
import { PayoutSenderService } from './payout-sender.service';
import { PayoutsQueryService } from './payouts-query.service';
import { PayoutsRepository } from './payouts.repository';
import { PayoutsResolver } from './payouts.resolver';

@Module({
  imports: [ChainModule],
  providers: [
    PayoutsRepository,
    BatchBuildRepository,
    PayoutChainService,
    BatchBuilderService,
    PayoutSenderService,
    PayoutReconcilerService,
    PayoutsQueryService,
    PayoutsResolver,
  ],
  exports: [BatchBuilderService, PayoutSenderService, PayoutReconcilerService],
})
export class PayoutsModule {}
