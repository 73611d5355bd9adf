import { Module } from '@nestjs/common';
import { ChainResolver } from './chain.resolver';
import { ChainService } from './chain.service';
import { DepositWatcherService } from './deposit-watcher.service';
import { FaucetService } from './faucet.service';
import { SignerService } from './signer.service';

@Module({
  providers: [ChainService, SignerService, FaucetService, DepositWatcherService, ChainResolver],
  exports: [ChainService, SignerService, DepositWatcherService],
})
export class ChainModule {}
