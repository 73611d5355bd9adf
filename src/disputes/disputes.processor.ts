import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { QUEUES, type JobPayloads } from '../queues/queue-names';
import { GoldRescoreService, type RescoreProgress } from './gold-rescore.service';
import { ReserveReleaseService } from './reserve-release.service';

// Thin: the re-score a resolution asked for (through the outbox), and the periodic scan that
// resumes unfinished re-scores and releases dispute reserves that are due.
@Processor(QUEUES.disputes)
@Injectable()
export class DisputesProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly rescores: GoldRescoreService,
    private readonly reserves: ReserveReleaseService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @InjectQueue(QUEUES.disputes) private readonly queue: Queue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.disputeScanSeconds > 0) {
      await this.queue.add(
        'disputes.scan',
        {},
        {
          repeat: { every: this.config.disputeScanSeconds * 1000 },
          jobId: 'disputes.scan',
          removeOnComplete: true,
          removeOnFail: 100,
        },
      );
    }
  }

  @Process('disputes.rescore-gold')
  rescoreGold(job: Job<JobPayloads['disputes.rescore-gold']>): Promise<RescoreProgress> {
    return this.rescores.run(job.data.rescoreId);
  }

  @Process('disputes.scan')
  async scan(): Promise<{ rescores: number; reserves: number }> {
    return { rescores: await this.rescores.resumeAll(), reserves: await this.reserves.releaseDue() };
  }
}
