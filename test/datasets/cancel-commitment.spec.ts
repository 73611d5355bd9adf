import { recordSpend } from '../../src/datasets/dataset-funds';
import { Role } from '../../src/auth/role';
import { LeaseReaper } from '../../src/tasks/lease-reaper.service';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset, type DatasetFixture } from '../support/fixtures';
import { errorCode, gql } from '../support/gql';
import { giveRoles, signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from '../tasks/invariants';
import { answersFor, claim, FakeClock, submit, type AssignmentJson } from '../tasks/labeler';
import { until } from './dataset-fixtures';

// Issue: cancelling kept the commitment of in-flight assignments whose submits it then refused,
// so committed never went down. Now committed of a COMPLETED or CANCELLED dataset is exactly what
// can still be owed (assignments ACTIVE or SUBMITTED), whichever path ends them.
describe('committed after a dataset ends', () => {
  const clock = new FakeClock();
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', clock, env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => app.close());

  async function ownedDataset(): Promise<{ fixture: DatasetFixture; owner: SignedInUser }> {
    const fixture = await createOpenDataset(app.dataSource, { items: 20, itemsPerTask: 5, answersPerItem: 1 });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    const owner = await signIn(app);
    await giveRoles(app.dataSource, owner.id, [Role.REQUESTER]);
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [fixture.datasetId, owner.id]);
    return { fixture, owner };
  }

  async function funds(datasetId: string): Promise<{ committed: bigint; spent: bigint; budget: bigint }> {
    const [row] = await app.dataSource.query('SELECT committed::text, spent::text, budget::text FROM dataset_funds WHERE id = $1', [datasetId]);
    return { committed: BigInt(row.committed), spent: BigInt(row.spent), budget: BigInt(row.budget) };
  }

  const cancel = (owner: SignedInUser, id: string) => gql(app, { query: 'mutation($id: ID!) { cancelDataset(id: $id) { status committed } }', variables: { id }, token: owner.token });
  const price = (fixture: DatasetFixture, a: AssignmentJson): bigint => fixture.rewardPerAnswer * BigInt(a.items.length);

  it('ends the leases in progress at once: nothing of them stays committed and their submits are refused', async () => {
    const { fixture, owner } = await ownedDataset();
    const worker = await signIn(app);
    const { assignment } = await claim(app, worker.token, fixture.datasetId);
    expect((await funds(fixture.datasetId)).committed).toBe(fixture.committed);

    const res = await cancel(owner, fixture.datasetId);
    expect(res.data.cancelDataset).toEqual({ status: 'CANCELLED', committed: '0' });
    expect(errorCode(await submit(app, worker.token, assignment!.id, answersFor(assignment!, fixture)))).toBe('DATASET_NOT_OPEN');
    expect(await app.dataSource.query('SELECT status FROM assignments WHERE id = $1', [assignment!.id])).toEqual([{ status: 'EXPIRED' }]);
    expect(await funds(fixture.datasetId)).toMatchObject({ committed: 0n, spent: 0n });
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
  });

  it('keeps committed what work waiting for its verdict can cost, until the verdict: ACCEPTED moves it to spent, REJECTED frees it', async () => {
    const { fixture, owner } = await ownedDataset();
    const [w1, w2] = [await signIn(app), await signIn(app)];
    const a1 = (await claim(app, w1.token, fixture.datasetId)).assignment!;
    const a2 = (await claim(app, w2.token, fixture.datasetId)).assignment!;
    // Both submitted, verdicts not published yet (verdicts come in batches, later).
    await app.dataSource.query(`UPDATE assignments SET status = 'SUBMITTED', submitted_at = now() WHERE id = ANY($1::uuid[])`, [[a1.id, a2.id]]);
    await cancel(owner, fixture.datasetId);
    expect((await funds(fixture.datasetId)).committed).toBe(price(fixture, a1) + price(fixture, a2));

    // Verdicts, written as an acceptance writes them: status and spend in one transaction.
    await app.dataSource.transaction(async (m) => {
      await m.query(`UPDATE assignments SET status = 'ACCEPTED' WHERE id = $1`, [a1.id]);
      await recordSpend(m, { datasetId: fixture.datasetId, assignmentId: a1.id, amount: price(fixture, a1) });
    });
    expect(await funds(fixture.datasetId)).toMatchObject({ committed: price(fixture, a2), spent: price(fixture, a1) });
    await app.dataSource.query(`UPDATE assignments SET status = 'REJECTED' WHERE id = $1`, [a2.id]);
    expect(await funds(fixture.datasetId)).toMatchObject({ committed: 0n, spent: price(fixture, a1) });
  });

  it('lets a submit that holds its assignment when the cancel comes finish first, and then commits nothing for it', async () => {
    const { fixture, owner } = await ownedDataset();
    const worker = await signIn(app);
    const assignment = (await claim(app, worker.token, fixture.datasetId)).assignment!;
    // The submit's transaction holds the assignment row: the cancel must wait for it.
    const runner = app.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query('SELECT id FROM assignments WHERE id = $1 FOR UPDATE', [assignment.id]);
    const cancelled = cancel(owner, fixture.datasetId);
    await until(async () => (await app.dataSource.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE assignments SET status = $2%'`)).length > 0);
    await runner.query(`UPDATE assignments SET status = 'ACCEPTED' WHERE id = $1`, [assignment.id]);
    await recordSpend(runner.manager, { datasetId: fixture.datasetId, assignmentId: assignment.id, amount: price(fixture, assignment) });
    await runner.commitTransaction();
    await runner.release();
    expect((await cancelled).data.cancelDataset.status).toBe('CANCELLED');
    expect(await funds(fixture.datasetId)).toMatchObject({ committed: 0n, spent: price(fixture, assignment) });
    expect(await app.dataSource.query('SELECT status FROM assignments WHERE id = $1', [assignment.id])).toEqual([{ status: 'ACCEPTED' }]);
  });

  it('frees the commitment of a lease still running on a COMPLETED dataset when it lapses (reaper) or is handed in', async () => {
    const { fixture } = await ownedDataset();
    const [w1, w2] = [await signIn(app), await signIn(app)];
    const a1 = (await claim(app, w1.token, fixture.datasetId)).assignment!;
    const a2 = (await claim(app, w2.token, fixture.datasetId)).assignment!;
    await app.dataSource.query(`UPDATE datasets SET status = 'COMPLETED' WHERE id = $1`, [fixture.datasetId]);
    expect((await funds(fixture.datasetId)).committed).toBe(price(fixture, a1) + price(fixture, a2));
    // A COMPLETED dataset still takes a lease's submission: it is paid from what stayed committed.
    expect((await submit(app, w1.token, a1.id, answersFor(a1, fixture))).assignment?.status).toBe('ACCEPTED');
    expect(await funds(fixture.datasetId)).toMatchObject({ committed: price(fixture, a2), spent: price(fixture, a1) });
    clock.advance(3600);
    await app.app.get(LeaseReaper).reap();
    expect(await funds(fixture.datasetId)).toMatchObject({ committed: 0n, spent: price(fixture, a1) });
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
  });
});
