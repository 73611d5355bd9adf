import { Module } from '@nestjs/common';
import { WorkerStatsRepository } from './worker-stats.repository';

// Gold scoring and worker quality. The pure rules (gold-scoring.ts, worker-quality.ts) are used
// by the tasks engine at submit time; this module provides their persistence.
@Module({ providers: [WorkerStatsRepository], exports: [WorkerStatsRepository] })
export class QualityModule {}
