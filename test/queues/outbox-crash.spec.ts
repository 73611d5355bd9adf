import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { enqueueInTransaction } from '../../src/queues/outbox';
import { OutboxDispatcher } from '../../src/queues/outbox-dispatcher.service';
import { QUEUES } from '../../src/queues/queue-names';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset } from '../support/fixtures';
import { signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { answersFor, claim, submit } from '../tasks/labeler';

// Invariant 7: what must reach another process is written in the transaction of its cause, so a
// process dying at either edge of the dispatch cannot drop it or run it twice. Api instances never
// dispatch on their own (no repeatable job), so nothing moves the row behind the test's back: the
// first instance commits the cause, a second one started afterwards dispatches, with a fault
// injected into its own transaction standing in for a crash between "added to bull" and "marked
// dispatched". Only then does a worker start, to run the job.
describe('outbox across crashes (invariant 7)', () => {
  let api: TestApp;
  let recovery: TestApp | null = null;
  let worker: TestApp | null = null;
  beforeAll(async () => {
    api = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '1000' } });
  });
  afterAll(async () => {
    await worker?.close();
    await recovery?.close();
    await api.close();
  });

  const pending = async (ds: DataSource, jobId: string): Promise<{ dispatched: boolean }[]> =>
    (await ds.query('SELECT dispatched_at IS NOT NULL AS dispatched FROM outbox WHERE job_id = $1', [jobId])) as { dispatched: boolean }[];

  it('runs the consensus job of a submit committed while no dispatcher was alive, exactly once, despite a dispatcher dying before it marked the row', async () => {
    const fixture = await createOpenDataset(api.dataSource, { items: 5, itemsPerTask: 5, answersPerItem: 1 });
    await api.app.get(TaskSplitService).split(fixture.datasetId);
    const user = await signIn(api);
    const { assignment } = await claim(api, user.token, fixture.datasetId);
    expect((await submit(api, user.token, assignment!.id, answersFor(assignment!, fixture, { regular: 'dog' }))).assignment?.status).toBe('ACCEPTED');
    const jobId = `agg:${fixture.datasetId}:${assignment!.id}`;
    // Committed with the acceptance, not dispatched: nothing in this process moves it.
    expect(await pending(api.dataSource, jobId)).toEqual([{ dispatched: false }]);

    recovery = await startTestApp({ role: 'api', shareWith: api });
    const queue = recovery.app.get<Queue>(getQueueToken(QUEUES.consensus));
    const dispatcher = recovery.app.get(OutboxDispatcher);
    // The first dispatch adds the job to bull and then dies before its transaction commits.
    const transaction = recovery.dataSource.transaction.bind(recovery.dataSource) as (work: (m: unknown) => Promise<unknown>) => Promise<unknown>;
    jest.spyOn(recovery.dataSource, 'transaction').mockImplementationOnce(((work: (m: unknown) => Promise<unknown>) =>
      transaction(async (manager) => {
        await work(manager);
        throw new Error('injected crash before the dispatch committed');
      })) as never);
    await expect(dispatcher.dispatchPending()).rejects.toThrow('injected crash');
    expect(await pending(api.dataSource, jobId)).toEqual([{ dispatched: false }]);
    expect(await queue.getJob(jobId)).not.toBeNull();

    // Dispatching again re-adds the row under the same job id: bull still holds one job.
    await dispatcher.dispatchPending();
    expect(await pending(api.dataSource, jobId)).toEqual([{ dispatched: true }]);
    const jobs = (await queue.getJobs(['waiting', 'active', 'completed', 'delayed', 'failed'])).filter((j) => j?.id === jobId);
    expect(jobs).toHaveLength(1);

    // A worker runs it, once.
    worker = await startTestApp({ role: 'worker', shareWith: api });
    const job = await worker.app.get<Queue>(getQueueToken(QUEUES.consensus)).getJob(jobId);
    expect(await job!.finished()).toMatchObject({ datasetId: fixture.datasetId });
    const results = await worker.dataSource.query('SELECT label FROM item_results WHERE item_id = ANY ($1::uuid[])', [fixture.regularIds]);
    expect(results).toEqual(Array(5).fill({ label: 'dog' }));
  });

  it('writes nothing when the cause rolls back after the outbox write: the row lives in the caller\'s transaction', async () => {
    const jobId = `agg:${randomUUID()}:rolled-back`;
    await expect(
      api.dataSource.transaction(async (manager) => {
        await enqueueInTransaction(manager, { name: 'consensus.aggregate-items', payload: { datasetId: randomUUID() }, jobId });
        throw new Error('the cause failed after enqueueing');
      }),
    ).rejects.toThrow('the cause failed');
    expect(await pending(api.dataSource, jobId)).toEqual([]);
  });
});
