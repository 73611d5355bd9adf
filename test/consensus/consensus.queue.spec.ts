import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { OutboxDispatcher } from '../../src/queues/outbox-dispatcher.service';
import { QUEUES } from '../../src/queues/queue-names';
import { startTestApp, type TestApp } from '../support/test-app';
import { acceptAnswers, createConsensusDataset, createWorkers, resultsOf } from './fixtures';

// The processors as deployed: a worker-role app consumes the consensus queue in-process. Jobs are
// awaited through bull (job.finished()), never by sleeping.
describe('ConsensusProcessor', () => {
  let app: TestApp;
  let queue: Queue;
  beforeAll(async () => {
    app = await startTestApp({ role: 'all' });
    queue = app.app.get<Queue>(getQueueToken(QUEUES.consensus));
  });
  afterAll(() => app.close());

  it('runs the consensus.aggregate-items job an accepted verdict enqueues through the outbox, and labels the item', async () => {
    const d = await createConsensusDataset(app.dataSource, {
      items: 2,
      answersPerItem: 2,
      aggregation: 'MAJORITY_VOTE',
    });
    const [w1, w2] = await createWorkers(app.dataSource, 2);
    await acceptAnswers(app.dataSource, {
      datasetId: d.datasetId,
      answers: [
        [d.regularIds[0], w1, 'dog'],
        [d.regularIds[0], w2, 'dog'],
      ],
    });
    // One job: the verdict that brought item 0 to its 2 answers wrote it, keyed by its assignment.
    const assignments: { id: string }[] = await app.dataSource.query(
      'SELECT id FROM assignments WHERE dataset_id = $1',
      [d.datasetId],
    );
    const jobs: { job_id: string }[] = await app.dataSource.query(
      `SELECT job_id FROM outbox WHERE job_name = 'consensus.aggregate-items' AND payload->>'datasetId' = $1`,
      [d.datasetId],
    );
    expect(jobs).toHaveLength(1);
    const [{ job_id: jobId }] = jobs;
    expect(assignments.map((a) => `agg:${d.datasetId}:${a.id}`)).toContain(jobId);
    await app.app.get(OutboxDispatcher).dispatchPending();
    // The background dispatcher may hold the row; its lock is released only after the job is in
    // bull, so waiting for the lock (not sleeping) is what makes the job visible here.
    const [row] = await app.dataSource.transaction((manager) =>
      manager.query('SELECT dispatched_at FROM outbox WHERE job_id = $1 FOR UPDATE', [jobId]),
    );
    expect(row.dispatched_at).not.toBeNull();
    const job = await queue.getJob(jobId);
    expect(job).not.toBeNull();
    expect(await job!.finished()).toMatchObject({ datasetId: d.datasetId, mode: 'full', labeled: 1 });
    expect((await resultsOf(app.dataSource, d.datasetId)).get(d.regularIds[0])).toMatchObject({
      label: 'dog',
      answers: 2,
      method: 'MAJORITY_VOTE',
    });
    expect((await app.dataSource.query('SELECT status FROM items WHERE id = $1', [d.regularIds[1]]))[0].status).toBe(
      'PENDING',
    );
  });

  it('runs consensus.aggregate-dataset, and a second run of the same job changes nothing', async () => {
    // Each item has 1 of its 2 answers: no item is ready, so no verdict enqueued an aggregation
    // and only the full run labels them (as it labels items still collecting answers on a large
    // dataset, where it is requested periodically).
    const d = await createConsensusDataset(app.dataSource, { items: 3, answersPerItem: 2 });
    const [w1] = await createWorkers(app.dataSource, 1);
    await acceptAnswers(app.dataSource, {
      datasetId: d.datasetId,
      answers: d.regularIds.map((id) => [id, w1, 'bird'] as [string, string, string]),
    });
    expect(
      await app.dataSource.query(`SELECT job_id FROM outbox WHERE queue = 'consensus' AND payload->>'datasetId' = $1`, [
        d.datasetId,
      ]),
    ).toEqual([]);
    const first = await queue.add('consensus.aggregate-dataset', { datasetId: d.datasetId });
    expect(await first.finished()).toMatchObject({ mode: 'full', answers: 3, resultsChanged: 3 });
    const second = await queue.add('consensus.aggregate-dataset', { datasetId: d.datasetId });
    expect(await second.finished()).toMatchObject({ mode: 'full', answers: 3, resultsChanged: 0 });
    const results = await resultsOf(app.dataSource, d.datasetId);
    expect([...results.values()].map((r) => [r.label, r.method, r.version])).toEqual(
      Array(3).fill(['bird', 'DAWID_SKENE', 1]),
    );
  });
});
