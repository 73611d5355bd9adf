import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { enqueueInTransaction } from '../../src/queues/outbox';
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

  it('runs consensus.aggregate-items from the outbox, as the submit path enqueues it', async () => {
    const d = await createConsensusDataset(app.dataSource, { items: 2, answersPerItem: 2, aggregation: 'MAJORITY_VOTE' });
    const [w1, w2] = await createWorkers(app.dataSource, 2);
    await acceptAnswers(app.dataSource, { datasetId: d.datasetId, answers: [[d.regularIds[0], w1, 'dog'], [d.regularIds[0], w2, 'dog']] });
    const jobId = `agg:${d.datasetId}:test`;
    await app.dataSource.transaction((manager) => enqueueInTransaction(manager, { name: 'consensus.aggregate-items', payload: { datasetId: d.datasetId }, jobId }));
    await app.app.get(OutboxDispatcher).dispatchPending();
    const job = await queue.getJob(jobId);
    expect(job).not.toBeNull();
    expect(await job!.finished()).toMatchObject({ datasetId: d.datasetId, mode: 'full', labeled: 1 });
    expect((await resultsOf(app.dataSource, d.datasetId)).get(d.regularIds[0])).toMatchObject({ label: 'dog', answers: 2, method: 'MAJORITY_VOTE' });
  });

  it('runs consensus.aggregate-dataset, and a second run of the same job changes nothing', async () => {
    const d = await createConsensusDataset(app.dataSource, { items: 3, answersPerItem: 1 });
    const [w1] = await createWorkers(app.dataSource, 1);
    await acceptAnswers(app.dataSource, { datasetId: d.datasetId, answers: d.regularIds.map((id) => [id, w1, 'bird'] as [string, string, string]) });
    const first = await queue.add('consensus.aggregate-dataset', { datasetId: d.datasetId });
    expect(await first.finished()).toMatchObject({ mode: 'full', answers: 3, resultsChanged: 3 });
    const second = await queue.add('consensus.aggregate-dataset', { datasetId: d.datasetId });
    expect(await second.finished()).toMatchObject({ mode: 'full', answers: 3, resultsChanged: 0 });
    const results = await resultsOf(app.dataSource, d.datasetId);
    expect([...results.values()].map((r) => [r.label, r.method, r.version])).toEqual(Array(3).fill(['bird', 'DAWID_SKENE', 1]));
  });
});
