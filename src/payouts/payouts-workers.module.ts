import { Module } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { PayoutsModule } from './payouts.module';
import { PayoutsProcessor } from './payouts.processor';

// Worker processes only: batch building, sending, reconciliation.
@Module({ imports: [ChainModule, PayoutsModule], providers: [PayoutsProcessor] })
export class PayoutsWorkersModule {}
