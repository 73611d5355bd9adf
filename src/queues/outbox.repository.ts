import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { QueueName } from './queue-names';

export interface PendingOutboxRow {
  id: string;
  queue: QueueName;
  jobName: string;
  payload: Record<string, unknown>;
  jobId: string;
}

// The dispatcher's side of the outbox: committed rows not yet in bull, locked with SKIP LOCKED so
// every replica can dispatch at once, and marked once bull has them.
@Injectable()
export class OutboxRepository {
  async lockPending(manager: EntityManager, limit: number): Promise<PendingOutboxRow[]> {
    const rows = (await manager.query(
      `SELECT id, queue, job_name, payload, job_id FROM outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    )) as {
      id: string;
      queue: QueueName;
      job_name: string;
      payload: Record<string, unknown>;
      job_id: string;
    }[];
    return rows.map((r) => ({ id: r.id, queue: r.queue, jobName: r.job_name, payload: r.payload, jobId: r.job_id }));
  }

  async markDispatched(manager: EntityManager, ids: string[]): Promise<void> {
    if (ids.length) await manager.query(`UPDATE outbox SET dispatched_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
  }
}
