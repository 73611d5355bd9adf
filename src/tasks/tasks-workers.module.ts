import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module';
import { TasksModule } from './tasks.module';
import { TasksProcessor } from './tasks.processor';

// Loaded only in worker processes (ROLE=worker or all): the split job, the lease reaper, verdicts
// and the labeled-items counter's housekeeping.
@Module({ imports: [TasksModule, DatasetsModule], providers: [TasksProcessor] })
export class TasksWorkersModule {}
