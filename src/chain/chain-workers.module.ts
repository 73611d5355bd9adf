import { Module } from '@nestjs/common';
import { ChainModule } from './chain.module';
import { DepositWatcherProcessor } from './deposit-watcher.processor';

// Worker processes only: the deposit watcher.
@Module({ imports: [ChainModule], providers: [DepositWatcherProcessor] })
export class ChainWorkersModule {}
