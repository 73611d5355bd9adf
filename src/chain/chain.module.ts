import { Module } from '@nestjs/common';
import { ChainIdentityRepository } from './chain-identity.repository';
import { ChainIdentityService } from './chain-identity.service';
import { ChainResolver } from './chain.resolver';
import { ChainService } from './chain.service';
import { DepositWatcherService } from './deposit-watcher.service';
import { DepositsRepository } from './deposits.repository';
import { FaucetService } from './faucet.service';
import { SignerService } from './signer.service';

@Module({
  providers: [
    ChainService,
    ChainIdentityRepository,
    ChainIdentityService,
    SignerService,
    FaucetService,
    DepositsRepository,
    DepositWatcherService,
    ChainResolver,
  ],
  exports: [ChainService, ChainIdentityService, SignerService, DepositWatcherService],
})
export class ChainModule {}
