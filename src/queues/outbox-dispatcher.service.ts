import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import type { QueueName } from './queue-names';

const BATCH = 200;

// Moves committed outbox rows into bull. Rows are locked with SKIP LOCKED so every replica can
// dispatch at once; bull's jobId makes a re-dispatch after a crash a no-op.
@Injectable()
export class OutboxDispatcher {
  private readonly logger = new Logger(OutboxDispatcher.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly moduleRef: ModuleRef,
  ) {}

  async dispatchPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const dispatched = await this.dataSource.transaction(async (manager) => {
        const rows: { id: string; queue: QueueName; job_name: string; payload: Record<string, unknown>; job_id: string }[] = await manager.query(
          `SELECT id, queue, job_name, payload, job_id FROM outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [BATCH],
        );
        for (const row of rows) {
          await this.queue(row.queue).add(row.job_name, row.payload, { jobId: row.job_id, removeOnComplete: 1000, removeOnFail: 5000, attempts: 10, backoff: { type: 'exponential', delay: 500 } });
        }
        if (rows.length) await manager.query(`UPDATE outbox SET dispatched_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
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
