import { Module } from '@nestjs/common';
import { EarningsResolver } from './earnings.resolver';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';

@Module({ providers: [LedgerRepository, LedgerService, EarningsResolver], exports: [LedgerService] })
export class LedgerModule {}
