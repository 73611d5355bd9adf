import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module';
import { ConsensusReadRepository } from './consensus-read.repository';
import { ConsensusWriteRepository } from './consensus-write.repository';
import { ConsensusProcessor } from './consensus.processor';
import { ConsensusService } from './consensus.service';

// The aggregation service, usable by any module that needs to run it (tests, an admin action).
@Module({
  imports: [DatasetsModule],
  providers: [ConsensusService, ConsensusReadRepository, ConsensusWriteRepository],
  exports: [ConsensusService],
})
export class ConsensusModule {}

// Worker processes only (WORKER_MODULES): the bull processor for the consensus queue.
@Module({ imports: [ConsensusModule], providers: [ConsensusProcessor] })
export class ConsensusWorkersModule {}
