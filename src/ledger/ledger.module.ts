import { Module } from '@nestjs/common';
import { EarningsResolver } from './earnings.resolver';
import { LedgerService } from './ledger.service';

@Module({ providers: [LedgerService, EarningsResolver], exports: [LedgerService] })
export class LedgerModule {}
