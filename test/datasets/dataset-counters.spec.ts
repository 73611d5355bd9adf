import { Client } from 'pg';
import { DatasetLifecycleService } from '../../src/datasets/dataset-lifecycle.service';
import { DatasetsRepository, progressCountsStatement } from '../../src/datasets/datasets.repository';
import { holdRowLock } from '../disputes/held-lock';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { acceptAssignment, createWorkers } from '../consensus/fixtures';
import { buffersOf, executedPlan, relationsOf } from '../support/explain';
import { createOpenDataset, type DatasetFixture } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

// dataset_counts is what the completion check and a dataset's progress read: labeled regular
// items kept by the items_count_labeled_* triggers (migration LabeledItemsCounter), tasks by the
// tasks_count_* statement triggers (ProgressFromCounters). Accepted answers are counted by the
// verdict's own statement: the invariants (test/tasks/invariants.ts) check them after every flow
// that accepts, late acceptances included.
describe('dataset counters', () => {
  let app: TestApp;
  let datasets: DatasetsRepository;
  beforeAll(async () => {
    app = await startTestApp();
    datasets = app.app.get(DatasetsRepository);
  });
  afterAll(() => app.close());

  const counted = (fixture: DatasetFixture): Promise<number> =>
    datasets.countLabeledRegularItems(app.dataSource.manager, fixture.datasetId);
  const setStatus = (ids: string[], status: string): Promise<unknown> =>
    app.dataSource.query('UPDATE items SET status = $2 WHERE id = ANY ($1::uuid[])', [ids, status]);

  it.each([
    ['PENDING', 'IN_PROGRESS', 0],
    ['IN_PROGRESS', 'LABELED', 2],
    ['LABELED', 'LABELED', 2],
    ['LABELED', 'DISPUTED', 0],
    ['DISPUTED', 'RESOLVED', 2],
    ['RESOLVED', 'LABELED', 2],
    ['LABELED', 'IN_PROGRESS', 0],
  ])('counts two regular items moved %s → %s as %i labeled, and no gold item', async (from, to, expected) => {
    const fixture = await createOpenDataset(app.dataSource, { items: 3, gold: 2 });
    const moved = fixture.regularIds.slice(0, 2);
    await setStatus([...moved, ...fixture.goldIds], from);
    await setStatus([...moved, ...fixture.goldIds], to);
    expect(await counted(fixture)).toBe(expected);
    expect((await datasets.progressCounts(fixture.datasetId)).labeledItems).toBe(expected);
  });

  it('counts labeled items inserted and deleted, and forgets a rolled-back change', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 2 });
    await app.dataSource.query(
      `INSERT INTO items (dataset_id, external_id, payload, status) VALUES ($1, 'x1', '{}', 'LABELED'), ($1, 'x2', '{}', 'RESOLVED')`,
      [fixture.datasetId],
    );
    expect(await counted(fixture)).toBe(2);
    await app.dataSource.query(`DELETE FROM items WHERE dataset_id = $1 AND external_id = 'x1'`, [fixture.datasetId]);
    expect(await counted(fixture)).toBe(1);
    await app.dataSource
      .transaction(async (manager) => {
        await manager.query('UPDATE items SET status = $2 WHERE id = $1', [fixture.regularIds[0], 'LABELED']);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await counted(fixture)).toBe(1);
  });

  it('lets two open transactions label items of one dataset without waiting for each other', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 2 });
    const [first, second] = [app.dataSource.createQueryRunner(), app.dataSource.createQueryRunner()];
    try {
      await first.startTransaction();
      await second.startTransaction();
      await first.query(`UPDATE items SET status = 'LABELED' WHERE id = $1`, [fixture.regularIds[0]]);
      // Would wait for `first` to end (and this test time out) if both added to one counter row.
      await second.query(`UPDATE items SET status = 'LABELED' WHERE id = $1`, [fixture.regularIds[1]]);
      await second.commitTransaction();
      await first.commitTransaction();
    } finally {
      await first.release();
      await second.release();
    }
    expect(await counted(fixture)).toBe(2);
  });

  const progress = (fixture: DatasetFixture) => datasets.progressCounts(fixture.datasetId);
  const insertTasks = (fixture: DatasetFixture, n: number): Promise<unknown> =>
    app.dataSource.query(
      `INSERT INTO tasks (dataset_id, item_ids, slots, open_slots) SELECT $1, ARRAY[$2::uuid], 1, 1 FROM generate_series(1, $3)`,
      [fixture.datasetId, fixture.regularIds[0], n],
    );

  it('counts the tasks every statement inserts or deletes, in the rows of its dataset only, and forgets a rolled-back one', async () => {
    const [fixture, other] = [
      await createOpenDataset(app.dataSource, { items: 2 }),
      await createOpenDataset(app.dataSource, { items: 2 }),
    ];
    await insertTasks(fixture, 3);
    await insertTasks(fixture, 1);
    await insertTasks(other, 2);
    expect((await progress(fixture)).tasks).toBe(4);
    await app.dataSource.query(
      'DELETE FROM tasks WHERE id IN (SELECT id FROM tasks WHERE dataset_id = $1 ORDER BY seq LIMIT 2)',
      [fixture.datasetId],
    );
    await app.dataSource
      .transaction(async (manager) => {
        await manager.query(
          `INSERT INTO tasks (dataset_id, item_ids, slots, open_slots) VALUES ($1, ARRAY[$2::uuid], 1, 1)`,
          [fixture.datasetId, fixture.regularIds[0]],
        );
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect((await progress(fixture)).tasks).toBe(2);
    expect((await progress(other)).tasks).toBe(2);
  });

  // What a dataset's progress reads is the same whatever other datasets hold: here another one is
  // split into 1,000 tasks and gets accepted answers (submits and verdicts of the product's own
  // services) between two reads (the old statement counted tasks by a scan of the whole table and
  // answers by every answer of the dataset).
  it("reads the dataset's counters, not its rows nor other datasets'", async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 2 });
    await insertTasks(fixture, 1);
    const run = (text: string, values: unknown[]) => app.dataSource.query(text, values);
    const before = await executedPlan(run, progressCountsStatement(fixture.datasetId));
    const other = await createOpenDataset(app.dataSource, { items: 1000, itemsPerTask: 1 });
    await app.app.get(TaskSplitService).split(other.datasetId);
    for (const [i, workerId] of (await createWorkers(app.dataSource, 3)).entries())
      await acceptAssignment(app.dataSource, {
        datasetId: other.datasetId,
        workerId,
        answers: [[other.regularIds[i], 'cat']],
      });
    expect(await progress(other)).toMatchObject({ tasks: 1000, answers: 3 });
    const after = await executedPlan(run, progressCountsStatement(fixture.datasetId));
    expect(relationsOf(after)).not.toContain('tasks');
    expect(relationsOf(after)).not.toContain('answers');
    expect(buffersOf(after)).toBe(buffersOf(before));
  });

  // A connection of its own (a database backend with its own pid, so its own counter row) that
  // runs the given statement, then is terminated: its backend is gone when this returns.
  async function countFromGoneBackend(sql: string, values: unknown[]): Promise<number> {
    const client = new Client({ connectionString: app.config.databaseUrl });
    await client.connect();
    client.on('error', () => undefined);
    const [{ pid }] = (await client.query('SELECT pg_backend_pid() AS pid')).rows;
    await client.query(sql, values);
    // Waits (up to 10 s) until the backend has exited.
    const [{ gone }] = await app.dataSource.query('SELECT pg_terminate_backend($1, 10000) AS gone', [pid]);
    expect(gone).toBe(true);
    await client.end().catch(() => undefined);
    return pid;
  }
  const labelFromGoneBackend = (ids: string[]): Promise<number> =>
    countFromGoneBackend(`UPDATE items SET status = 'LABELED' WHERE id = ANY ($1::uuid[])`, [ids]);
  const rowsOf = async (fixture: DatasetFixture): Promise<{ stripe: number; n: number }[]> =>
    app.dataSource.query(
      'SELECT stripe, labeled_items AS n FROM dataset_counts WHERE dataset_id = $1 ORDER BY stripe',
      [fixture.datasetId],
    );

  it('folds the rows of backends that are gone into row 0, keeps the rows of live ones, and the count', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 4 });
    const [a, b, c, d] = fixture.regularIds;
    const gone = [await labelFromGoneBackend([a, b]), await labelFromGoneBackend([c])];
    const [{ pid: live }] = await app.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE items SET status = 'LABELED' WHERE id = $1`, [d]);
      return manager.query('SELECT pg_backend_pid() AS pid');
    });
    expect((await rowsOf(fixture)).map((r) => r.stripe).sort()).toEqual([...gone, live].sort());

    expect(await app.app.get(DatasetLifecycleService).foldDatasetCounters()).toBeGreaterThanOrEqual(2);
    expect(await rowsOf(fixture)).toEqual([
      { stripe: 0, n: 3 },
      { stripe: live, n: 1 },
    ]);
    expect(await counted(fixture)).toBe(4);
    // Nothing left to fold here; the live row keeps counting.
    await app.app.get(DatasetLifecycleService).foldDatasetCounters();
    expect(await rowsOf(fixture)).toEqual([
      { stripe: 0, n: 3 },
      { stripe: live, n: 1 },
    ]);
  });

  it('folds a row once when two folds run at once: the second leaves the rows the first holds', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 2 });
    await labelFromGoneBackend(fixture.regularIds);
    // The first fold is held open inside a transaction of the test's own, its rows locked.
    const first = await holdRowLock(app.dataSource, {
      sql: 'SELECT fold_dataset_counts() AS folded',
      values: [],
    });
    // Neither waits for it nor folds its rows again.
    await app.app.get(DatasetLifecycleService).foldDatasetCounters();
    await first.release();
    expect(await rowsOf(fixture)).toEqual([{ stripe: 0, n: 2 }]);
    expect(await counted(fixture)).toBe(2);
  });

  // Accepted answers are added by the verdict's statement alone (a row of the shape it writes,
  // here written by the gone backend itself).
  it('folds the tasks and accepted answers a gone backend counted with its labeled items', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 2 });
    await countFromGoneBackend(
      `WITH t AS (INSERT INTO tasks (dataset_id, item_ids, slots, open_slots) VALUES ($1, ARRAY[$2::uuid], 1, 1), ($1, ARRAY[$2::uuid], 1, 1)),
            a AS (INSERT INTO dataset_counts (dataset_id, stripe, accepted_answers) VALUES ($1, pg_backend_pid(), 3)
                  ON CONFLICT (dataset_id, stripe) DO UPDATE SET accepted_answers = dataset_counts.accepted_answers + EXCLUDED.accepted_answers)
       UPDATE items SET status = 'LABELED' WHERE id = $2`,
      [fixture.datasetId, fixture.regularIds[0]],
    );
    await app.app.get(DatasetLifecycleService).foldDatasetCounters();
    expect(
      await app.dataSource.query(
        'SELECT stripe, labeled_items, tasks, accepted_answers FROM dataset_counts WHERE dataset_id = $1',
        [fixture.datasetId],
      ),
    ).toEqual([{ stripe: 0, labeled_items: 1, tasks: 2, accepted_answers: 3 }]);
    expect(await progress(fixture)).toMatchObject({ tasks: 2, labeledItems: 1, answers: 3 });
  });

  it('lets two open transactions add tasks to one dataset without waiting for each other', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 2 });
    const [first, second] = [app.dataSource.createQueryRunner(), app.dataSource.createQueryRunner()];
    const insert = `INSERT INTO tasks (dataset_id, item_ids, slots, open_slots) VALUES ($1, ARRAY[$2::uuid], 1, 1)`;
    try {
      await first.startTransaction();
      await second.startTransaction();
      await first.query(insert, [fixture.datasetId, fixture.regularIds[0]]);
      // Would wait for `first` to end (and this test time out) if both added to one counter row.
      await second.query(insert, [fixture.datasetId, fixture.regularIds[1]]);
      await second.commitTransaction();
      await first.commitTransaction();
    } finally {
      await first.release();
      await second.release();
    }
    expect((await progress(fixture)).tasks).toBe(2);
  });
});
