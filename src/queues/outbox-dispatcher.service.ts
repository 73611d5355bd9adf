import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { OutboxRepository } from './outbox.repository';
import type { QueueName } from './queue-names';

const BATCH = 200;
const JOB_OPTIONS = {
  removeOnComplete: 1000,
  removeOnFail: 5000,
  attempts: 10,
  backoff: { type: 'exponential', delay: 500 },
};

// Moves committed outbox rows into bull. Rows are locked with SKIP LOCKED so every replica can
// dispatch at once; bull's jobId makes a re-dispatch after a crash a no-op.
@Injectable()
export class OutboxDispatcher {
  private readonly logger = new Logger(OutboxDispatcher.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly moduleRef: ModuleRef,
  ) {}

  async dispatchPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const dispatched = await this.dataSource.transaction(async (manager) => {
        const rows = await this.outbox.lockPending(manager, BATCH);
        // One round trip to Redis per queue, not per row, while the rows are locked. addBulk runs
        // a MULTI whose per-command errors do not reject: a job that came back without an id was
        // not added, so the rows stay undispatched (the transaction rolls back) and are retried.
        const byQueue = new Map<QueueName, typeof rows>();
        for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
        for (const [queue, queued] of byQueue) {
          const added = await this.queue(queue).addBulk(
            queued.map((row) => ({ name: row.jobName, data: row.payload, opts: { jobId: row.jobId, ...JOB_OPTIONS } })),
          );
          if (added.some((job) => job.id === undefined || job.id === null))
            throw new Error(`outbox: bull did not add every job to ${queue}`);
        }
        await this.outbox.markDispatched(
          manager,
          rows.map((r) => r.id),
        );
        return rows.length;
      });
      total += dispatched;
      if (dispatched < BATCH) break;
    }
    if (total) this.logger.debug({ total }, 'outbox dispatched');
    return total;
  }

  private queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }
}
