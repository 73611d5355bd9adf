import { DatasetsRepository } from '../../src/datasets/datasets.repository';
import { createOpenDataset, type DatasetFixture } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

// dataset_labeled_items, kept by the items_count_labeled_* triggers (migration
// LabeledItemsCounter), is what the completion check and progress.labeledItems read.
describe('labeled-items counter', () => {
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
});
