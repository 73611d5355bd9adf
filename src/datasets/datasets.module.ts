import { Module } from '@nestjs/common';
import { DatasetLifecycleService } from './dataset-lifecycle.service';
import { DatasetRefundService } from './dataset-refund.service';
import { DatasetsRepository } from './datasets.repository';
import { DatasetsResolver } from './datasets.resolver';
import { DatasetsService } from './datasets.service';
import { ItemIngestService } from './item-ingest.service';
import { ItemsRepository } from './items.repository';
import { ItemsUploadController } from './items-upload.controller';

// Datasets, label schemas, items and their ingestion, the status machine and the funding gate.
// Other areas use DatasetLifecycleService.markCompletedIfDone and DatasetsService.
@Module({
  providers: [
    DatasetsRepository,
    ItemsRepository,
    DatasetsService,
    DatasetLifecycleService,
    DatasetRefundService,
    ItemIngestService,
    DatasetsResolver,
  ],
  controllers: [ItemsUploadController],
  exports: [DatasetsService, DatasetLifecycleService],
})
export class DatasetsModule {}
