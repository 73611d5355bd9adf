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
// first instance commits the cause (a submit, and with it the request for its verdict), a second
// one started afterwards dispatches, with a fault injected into its own transaction standing in
// for a crash between "added to bull" and "marked dispatched". Only then does a worker start, to
// run the verdict, whose own follow-up (the consensus job) is written with the verdict and goes
// the same way.
describe('outbox across crashes (invariant 7)', () => {
  let api: TestApp;
  let recovery: TestApp | null = null;
  let worker: TestApp | null = null;
  beforeAll(async () => {
    // No periodic verdict scan on the worker: only the verdict job the submit asked for decides.
    api = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '1000', VERDICT_INTERVAL_SECONDS: '0' } });
  });
  afterAll(async () => {
    await worker?.close();
    await recovery?.close();
    await api.close();
  });

  const pending = async (ds: DataSource, jobId: string): Promise<{ dispatched: boolean }[]> =>
    (await ds.query('SELECT dispatched_at IS NOT NULL AS dispatched FROM outbox WHERE job_id = $1', [jobId])) as {
      dispatched: boolean;
    }[];
  // Waits (on the row lock, not on a timer) for any dispatcher holding the row to finish; then
  // says whether it is dispatched, i.e. in bull.
  const dispatchedAfterLocks = async (ds: DataSource, jobId: string): Promise<boolean> =>
    ds.transaction(
      async (m) =>
        (
          (await m.query('SELECT dispatched_at IS NOT NULL AS dispatched FROM outbox WHERE job_id = $1 FOR UPDATE', [
            jobId,
          ])) as { dispatched: boolean }[]
        )[0]?.dispatched ?? false,
    );

  it("runs the verdict of a submit committed while no dispatcher was alive, exactly once, despite a dispatcher dying before it marked the row; the verdict's consensus job follows, once", async () => {
    const fixture = await createOpenDataset(api.dataSource, { items: 5, itemsPerTask: 5, answersPerItem: 1 });
    await api.app.get(TaskSplitService).split(fixture.datasetId);
    const user = await signIn(api);
    const { assignment } = await claim(api, user.token, fixture.datasetId);
    expect(
      (await submit(api, user.token, assignment!.id, answersFor(assignment!, fixture, { regular: 'dog' }))).assignment
        ?.status,
    ).toBe('SUBMITTED');
    const verdictJobId = `verdict:${assignment!.id}`;
    const consensusJobId = `agg:${fixture.datasetId}:${assignment!.id}`;
    // Committed with the submit, not dispatched: nothing in this process moves it. The consensus
    // job does not exist yet: only an ACCEPTED verdict writes it.
    expect(await pending(api.dataSource, verdictJobId)).toEqual([{ dispatched: false }]);
    expect(await pending(api.dataSource, consensusJobId)).toEqual([]);

    recovery = await startTestApp({ role: 'api', shareWith: api });
    const tasksQueue = recovery.app.get<Queue>(getQueueToken(QUEUES.tasks));
    const dispatcher = recovery.app.get(OutboxDispatcher);
    // The first dispatch adds the job to bull and then dies before its transaction commits.
    const transaction = recovery.dataSource.transaction.bind(recovery.dataSource) as (
      work: (m: unknown) => Promise<unknown>,
    ) => Promise<unknown>;
    jest.spyOn(recovery.dataSource, 'transaction').mockImplementationOnce(((work: (m: unknown) => Promise<unknown>) =>
      transaction(async (manager) => {
        await work(manager);
        throw new Error('injected crash before the dispatch committed');
      })) as never);
    await expect(dispatcher.dispatchPending()).rejects.toThrow('injected crash');
    expect(await pending(api.dataSource, verdictJobId)).toEqual([{ dispatched: false }]);
    expect(await tasksQueue.getJob(verdictJobId)).not.toBeNull();

    // Dispatching again re-adds the row under the same job id: bull still holds one job.
    await dispatcher.dispatchPending();
    expect(await pending(api.dataSource, verdictJobId)).toEqual([{ dispatched: true }]);
    const jobs = (await tasksQueue.getJobs(['waiting', 'active', 'completed', 'delayed', 'failed'])).filter(
      (j) => j?.id === verdictJobId,
    );
    expect(jobs).toHaveLength(1);
    expect(
      (await api.dataSource.query('SELECT status FROM assignments WHERE id = $1', [assignment!.id]))[0].status,
    ).toBe('SUBMITTED');

    // A worker runs the verdict, once: the assignment is accepted and paid once, and the
    // consensus job is committed with it.
    worker = await startTestApp({ role: 'worker', shareWith: api });
    const verdictJob = await worker.app.get<Queue>(getQueueToken(QUEUES.tasks)).getJob(verdictJobId);
    expect(await verdictJob!.finished()).toEqual({ verdict: 'ACCEPTED', assignments: 1 });
    expect(
      await api.dataSource.query(
        `SELECT a.status, (SELECT count(*)::int FROM ledger_entries l WHERE l.assignment_id = a.id AND l.kind = 'EARNING') AS earnings FROM assignments a WHERE a.id = $1`,
        [assignment!.id],
      ),
    ).toEqual([{ status: 'ACCEPTED', earnings: 1 }]);
    expect(await pending(api.dataSource, consensusJobId)).toHaveLength(1);

    // The worker's own dispatcher (every second) or this one moves it into bull; both at once
    // yield one job. Then the worker runs it.
    do await dispatcher.dispatchPending();
    while (!(await dispatchedAfterLocks(api.dataSource, consensusJobId)));
    const consensusJob = await worker.app.get<Queue>(getQueueToken(QUEUES.consensus)).getJob(consensusJobId);
    expect(await consensusJob!.finished()).toMatchObject({ datasetId: fixture.datasetId });
    const results = await worker.dataSource.query('SELECT label FROM item_results WHERE item_id = ANY ($1::uuid[])', [
      fixture.regularIds,
    ]);
    expect(results).toEqual(Array(5).fill({ label: 'dog' }));
  });

  it("writes nothing when the cause rolls back after the outbox write: the row lives in the caller's transaction", async () => {
    const jobId = `agg:${randomUUID()}:rolled-back`;
    await expect(
      api.dataSource.transaction(async (manager) => {
        await enqueueInTransaction(manager, {
          name: 'consensus.aggregate-items',
          payload: { datasetId: randomUUID() },
          jobId,
        });
        throw new Error('the cause failed after enqueueing');
      }),
    ).rejects.toThrow('the cause failed');
    expect(await pending(api.dataSource, jobId)).toEqual([]);
  });
});
