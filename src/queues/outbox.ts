import type { EntityManager } from 'typeorm';
import { queueOf, type JobName, type JobPayloads } from './queue-names';

export interface OutboxJob<N extends JobName = JobName> {
  name: N;
  payload: JobPayloads[N];
  jobId: string;
}

// Call inside the transaction that causes the job. The job id is deterministic so a retried
// cause or a twice-dispatched row yields one job.
export async function enqueueInTransaction<N extends JobName>(
  manager: EntityManager,
  job: OutboxJob<N>,
): Promise<void> {
  await manager.query(insertOutboxSql({ queue: '$1', jobName: '$2', payload: '$3', jobId: '$4' }), outboxValues(job));
}

// The one INSERT of an outbox row, for a statement that writes more than the job (a verdict's,
// whose job depends on what the statement counted): placeholders for outboxValues()'s four values,
// and an SQL condition (`true` for always) deciding whether the row is written.
export function insertOutboxSql(
  p: { queue: string; jobName: string; payload: string; jobId: string },
  when = 'true',
): string {
  return `INSERT INTO outbox (queue, job_name, payload, job_id)
     SELECT ${p.queue}::varchar, ${p.jobName}::varchar, ${p.payload}::jsonb, ${p.jobId}::varchar WHERE ${when}`;
}

// [queue, job name, payload, job id] for insertOutboxSql.
export function outboxValues(job: OutboxJob): [string, string, string, string] {
  return [queueOf(job.name), job.name, JSON.stringify(job.payload), job.jobId];
}
