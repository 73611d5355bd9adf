import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { QUEUES, type JobPayloads } from '../queues/queue-names';
import { DatasetLifecycleService } from '../datasets/dataset-lifecycle.service';
import { LeaseReaper } from './lease-reaper.service';
import { TaskSplitService, type SplitResult } from './task-split.service';
import { VerdictService, type PublishedVerdicts } from './verdict.service';

const REAP_EVERY_MS = 5000;
const FOLD_COUNTERS_EVERY_MS = 60_000;

// Thin: translates jobs into service calls.
@Processor(QUEUES.tasks)
@Injectable()
export class TasksProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly splitter: TaskSplitService,
    private readonly reaper: LeaseReaper,
    private readonly verdicts: VerdictService,
    private readonly lifecycle: DatasetLifecycleService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @InjectQueue(QUEUES.tasks) private readonly queue: Queue,
  ) {}

  // A repeatable job with a fixed id: every worker replica may register it, bull keeps one.
  async onApplicationBootstrap(): Promise<void> {
    await this.queue.add(
      'tasks.reap-leases',
      {},
      { repeat: { every: REAP_EVERY_MS }, jobId: 'tasks.reap-leases', removeOnComplete: true, removeOnFail: 100 },
    );
    await this.queue.add(
      'tasks.fold-labeled-items',
      {},
      {
        repeat: { every: FOLD_COUNTERS_EVERY_MS },
        jobId: 'tasks.fold-labeled-items',
        removeOnComplete: true,
        removeOnFail: 100,
      },
    );
    if (this.config.verdictIntervalSeconds > 0) {
      await this.queue.add(
        'tasks.publish-verdicts',
        {},
        {
          repeat: { every: this.config.verdictIntervalSeconds * 1000 },
          jobId: 'tasks.publish-verdicts',
          removeOnComplete: true,
          removeOnFail: 100,
        },
      );
    }
  }

  @Process('tasks.split-dataset')
  async splitDataset(job: Job<JobPayloads['tasks.split-dataset']>): Promise<SplitResult> {
    return this.splitter.split(job.data.datasetId, { onProgress: (percent) => job.progress(percent) });
  }

  @Process('tasks.decide-verdicts')
  async decideVerdicts(job: Job<JobPayloads['tasks.decide-verdicts']>): Promise<PublishedVerdicts | null> {
    return this.verdicts.decide(job.data);
  }

  @Process('tasks.publish-verdicts')
  async publishVerdicts(): Promise<number> {
    return this.verdicts.publishOverdue();
  }

  @Process('tasks.reap-leases')
  async reapLeases(): Promise<number> {
    return this.reaper.reap();
  }

  // The job kept its name from when it folded the labeled-items counter alone: a repeatable job
  // renamed would leave the old one registered in Redis with no processor.
  @Process('tasks.fold-labeled-items')
  async foldDatasetCounters(): Promise<number> {
    return this.lifecycle.foldDatasetCounters();
  }
}
