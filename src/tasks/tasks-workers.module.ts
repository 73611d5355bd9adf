import { Module } from '@nestjs/common';
import { TasksModule } from './tasks.module';
import { TasksProcessor } from './tasks.processor';

// Loaded only in worker processes (ROLE=worker or all): the split job and the lease reaper.
@Module({ imports: [TasksModule], providers: [TasksProcessor] })
export class TasksWorkersModule {}
