import { FundsKeepDisputeReserve1795990000000 } from '../../migrations/1795990000000-FundsKeepDisputeReserve';
import { EarnedCountsReviewRewards1795990000100 } from '../../migrations/1795990000100-EarnedCountsReviewRewards';
import { Disputes1795970000000 } from '../../migrations/1795970000000-Disputes';
import { Role } from '../../src/auth/role';
import { createOpenDataset } from '../support/fixtures';
import { signInAs } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from '../tasks/invariants';
import { listDisputes } from './reviewer';

// Items the consensus left DISPUTED before cases existed get their LOW_AGREEMENT case from the
// migration that introduces cases: the database is taken back to before it (its down()), the old
// code's state is written, and the migration is applied again.
describe('the disputes migration', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api' });
  });
  afterAll(() => app.close());

  it('opens exactly one LOW_AGREEMENT case for every item already DISPUTED, and none for the others', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 4, itemsPerTask: 2 });
    const [a, b, c] = fixture.regularIds;
    const migration = new Disputes1795970000000();
    // The migrations after it depend on what it added: they go down first and come back after.
    const later = [new EarnedCountsReviewRewards1795990000100(), new FundsKeepDisputeReserve1795990000000()];
    const runner = app.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      for (const m of later) await m.down(runner);
      await migration.down(runner);
      await runner.query(`UPDATE items SET status = 'DISPUTED' WHERE id = ANY ($1::uuid[])`, [[a, b]]);
      await runner.query(`UPDATE items SET status = 'LABELED' WHERE id = $1`, [c]);
      await migration.up(runner);
      for (const m of [...later].reverse()) await m.up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    const admin = await signInAs(app, [Role.ADMIN]);
    const cases = (await listDisputes(app, admin.token, { d: fixture.datasetId })).nodes;
    expect(cases.map((x) => [x.kind, x.status, x.itemId]).sort()).toEqual(
      [
        ['LOW_AGREEMENT', 'OPEN', a],
        ['LOW_AGREEMENT', 'OPEN', b],
      ].sort(),
    );
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
  });
});
