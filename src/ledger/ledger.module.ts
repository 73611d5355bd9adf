import { Module } from '@nestjs/common';
import { DatasetFundingService } from './dataset-funding.service';
import { EarningsResolver } from './earnings.resolver';
import { LedgerService } from './ledger.service';

@Module({ providers: [LedgerService, DatasetFundingService, EarningsResolver], exports: [LedgerService, DatasetFundingService] })
export class LedgerModule {}
