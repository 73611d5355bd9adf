import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { enqueueInTransaction } from '../../src/queues/outbox';
import { OutboxDispatcher } from '../../src/queues/outbox-dispatcher.service';
import { QUEUES } from '../../src/queues/queue-names';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset, type DatasetFixture } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

describe(TaskSplitService.name, () => {
  let app: TestApp;
  let splitter: TaskSplitService;
  beforeAll(async () => {
    app = await startTestApp();
    splitter = app.app.get(TaskSplitService);
  });
  afterAll(() => app.close());

  const tasksOf = async (datasetId: string): Promise<{ item_ids: string[]; slots: number; open_slots: number }[]> =>
    app.dataSource.query('SELECT item_ids, slots, open_slots FROM tasks WHERE dataset_id = $1 ORDER BY seq', [
      datasetId,
    ]);

  // Every regular item in exactly one task, tasks in seq order of itemsPerTask (the last may be short).
  async function expectSplit(
    fixture: DatasetFixture,
    params: { itemsPerTask: number; answersPerItem: number },
  ): Promise<void> {
    const tasks = await tasksOf(fixture.datasetId);
    const chunks: string[][] = [];
    for (let i = 0; i < fixture.regularIds.length; i += params.itemsPerTask)
      chunks.push(fixture.regularIds.slice(i, i + params.itemsPerTask));
    expect(tasks.map((t) => t.item_ids)).toEqual(chunks);
    expect(tasks.every((t) => t.slots === params.answersPerItem && t.open_slots === params.answersPerItem)).toBe(true);
    const wanted = await app.dataSource.query(
      'SELECT is_gold, answers_wanted, count(*)::int AS n FROM items WHERE dataset_id = $1 GROUP BY 1, 2 ORDER BY 1',
      [fixture.datasetId],
    );
    expect(wanted).toEqual([
      { is_gold: false, answers_wanted: params.answersPerItem, n: fixture.regularIds.length },
      ...(fixture.goldIds.length ? [{ is_gold: true, answers_wanted: 0, n: fixture.goldIds.length }] : []),
    ]);
  }

  it('cuts regular items in seq order into tasks, leaves gold out, sets answers wanted', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 23, gold: 4, itemsPerTask: 5, answersPerItem: 3 });
    const result = await splitter.split(fixture.datasetId, { batchItems: 10 });
    expect(result).toEqual({ itemsSplit: 23, tasksCreated: 5, completed: true });
    await expectSplit(fixture, { itemsPerTask: 5, answersPerItem: 3 });
  });

  it('is idempotent: a second run creates nothing', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 30, itemsPerTask: 4, answersPerItem: 2 });
    await splitter.split(fixture.datasetId, { batchItems: 8 });
    expect(await splitter.split(fixture.datasetId, { batchItems: 8 })).toEqual({
      itemsSplit: 30,
      tasksCreated: 8,
      completed: true,
    });
    await expectSplit(fixture, { itemsPerTask: 4, answersPerItem: 2 });
  });

  it('resumes after a crash half way, creating every task exactly once', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 100, itemsPerTask: 3, answersPerItem: 2 });
    let batches = 0;
    const crash = (): void => {
      if (++batches === 2) throw new Error('worker died');
    };
    await expect(splitter.split(fixture.datasetId, { batchItems: 30, onProgress: crash })).rejects.toThrow(
      'worker died',
    );
    expect((await tasksOf(fixture.datasetId)).length).toBe(20);
    await splitter.split(fixture.datasetId, { batchItems: 30 });
    await expectSplit(fixture, { itemsPerTask: 3, answersPerItem: 2 });
  });

  it('two splitters at once share the work without duplicating it', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 500, itemsPerTask: 7, answersPerItem: 1 });
    await Promise.all([
      splitter.split(fixture.datasetId, { batchItems: 50 }),
      splitter.split(fixture.datasetId, { batchItems: 50 }),
      splitter.split(fixture.datasetId, { batchItems: 70 }),
    ]);
    await expectSplit(fixture, { itemsPerTask: 7, answersPerItem: 1 });
  });

  it('does nothing for a draft or cancelled dataset', async () => {
    for (const status of ['DRAFT', 'CANCELLED'] as const) {
      const fixture = await createOpenDataset(app.dataSource, { items: 10, status });
      expect((await splitter.split(fixture.datasetId)).tasksCreated).toBe(0);
      expect(await tasksOf(fixture.datasetId)).toEqual([]);
    }
  });

  it('runs as the tasks.split-dataset job enqueued through the outbox, reporting progress', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 50, itemsPerTask: 5, answersPerItem: 2 });
    const jobId = `split:${fixture.datasetId}`;
    await app.dataSource.transaction((manager) =>
      enqueueInTransaction(manager, { name: 'tasks.split-dataset', payload: { datasetId: fixture.datasetId }, jobId }),
    );
    await app.app.get(OutboxDispatcher).dispatchPending();
    // The background dispatcher may hold the row; its lock is released only after the job is in
    // bull, so waiting for the lock (not sleeping) is what makes the job visible here.
    const [row] = await app.dataSource.transaction((manager) =>
      manager.query('SELECT dispatched_at FROM outbox WHERE job_id = $1 FOR UPDATE', [jobId]),
    );
    expect(row.dispatched_at).not.toBeNull();
    const queue = app.app.get<Queue>(getQueueToken(QUEUES.tasks), { strict: false });
    const job = await queue.getJob(jobId);
    expect(job).not.toBeNull();
    expect(await job!.finished()).toEqual({ itemsSplit: 50, tasksCreated: 10, completed: true });
    expect((await queue.getJob(jobId))!.progress()).toBe(100);
    await expectSplit(fixture, { itemsPerTask: 5, answersPerItem: 2 });
  });
});
