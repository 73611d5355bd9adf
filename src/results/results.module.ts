import { Module } from '@nestjs/common';
import { ExportController } from './export.controller';
import { ResultsExportRepository } from './results-export.repository';
import { DatasetAgreementResolver, ResultsResolver } from './results.resolver';
import { ResultsRepository } from './results.repository';
import { ResultsService } from './results.service';

// The read side of consensus: datasetResults, workerQuality, Dataset.agreement and the export.
@Module({
  providers: [ResultsRepository, ResultsExportRepository, ResultsService, ResultsResolver, DatasetAgreementResolver],
  controllers: [ExportController],
})
export class ResultsModule {}
