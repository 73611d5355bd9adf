import { Process, Processor } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bull';
import type { JobPayloads } from '../queues/queue-names';
import { QUEUES } from '../queues/queue-names';
import { ConsensusService, type AggregationSummary } from './consensus.service';

// Thin: the job payload carries a dataset id only; the service reads the state it needs, so a
// job that runs twice or on two workers at once does the work once (advisory lock + idempotent
// writes).
@Processor(QUEUES.consensus)
@Injectable()
export class ConsensusProcessor {
  constructor(private readonly consensus: ConsensusService) {}

  @Process('consensus.aggregate-items')
  aggregateItems(job: Job<JobPayloads['consensus.aggregate-items']>): Promise<AggregationSummary> {
    return this.consensus.aggregateItems(job.data.datasetId);
  }

  @Process('consensus.aggregate-dataset')
  aggregateDataset(job: Job<JobPayloads['consensus.aggregate-dataset']>): Promise<AggregationSummary> {
    return this.consensus.aggregateDataset(job.data.datasetId);
  }
}
