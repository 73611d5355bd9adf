import type { EntityManager } from 'typeorm';
import { OutboxEntity } from './outbox.entity';
import { queueOf, type JobName, type JobPayloads } from './queue-names';

// Call inside the transaction that causes the job. The job id is deterministic so a retried
// cause or a twice-dispatched row yields one job.
export async function enqueueInTransaction<N extends JobName>(
  manager: EntityManager,
  job: { name: N; payload: JobPayloads[N]; jobId: string },
): Promise<void> {
  await manager.save(
    manager.create(OutboxEntity, {
      queue: queueOf(job.name),
      jobName: job.name,
      payload: job.payload as Record<string, unknown>,
      jobId: job.jobId,
      dispatchedAt: null,
    }),
    { reload: false },
  );
}
