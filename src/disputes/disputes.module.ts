import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module';
import { TasksModule } from '../tasks/tasks.module';
import { DisputeQueueMetrics } from './dispute-metrics';
import { DisputeSourcesService } from './dispute-sources.service';
import { DisputesProcessor } from './disputes.processor';
import { DisputesRepository } from './disputes.repository';
import { DisputesResolver } from './disputes.resolver';
import { GoldRescoreRepository } from './gold-rescore.repository';
import { GoldRescoreService } from './gold-rescore.service';
import { ReserveReleaseService } from './reserve-release.service';
import { ResolutionRepository } from './resolution.repository';
import { ResolutionService } from './resolution.service';
import { ReviewQueueService } from './review-queue.service';
import { SourcesRepository } from './sources.repository';

// Reviewers and disputes: the sources of cases, the leased reviewer queue, resolutions, gold
// re-scores and the dispute reserve. Its bull processor is in DisputesWorkersModule.
@Module({
  imports: [DatasetsModule, TasksModule],
  providers: [
    DisputesRepository,
    SourcesRepository,
    ResolutionRepository,
    GoldRescoreRepository,
    DisputeSourcesService,
    ReviewQueueService,
    ResolutionService,
    GoldRescoreService,
    ReserveReleaseService,
    DisputesResolver,
    DisputeQueueMetrics,
  ],
  exports: [GoldRescoreService, ReserveReleaseService, ResolutionService],
})
export class DisputesModule {}

// Worker processes only (WORKER_MODULES).
@Module({ imports: [DisputesModule], providers: [DisputesProcessor] })
export class DisputesWorkersModule {}
