import { recordSpend } from '../../src/datasets/dataset-funds';
import { Role } from '../../src/auth/role';
import { LeaseReaper } from '../../src/tasks/lease-reaper.service';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset, type DatasetFixture } from '../support/fixtures';
import { errorCode, gql } from '../support/gql';
import { giveRoles, signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from '../tasks/invariants';
import { answersFor, claim, FakeClock, publishVerdicts, release, submit, type AssignmentJson } from '../tasks/labeler';

// Issue #11, item 3: cancelling kept the commitment of in-flight assignments whose submits it then
// refused, and nothing ever released it (committed stayed 2 forever). The rule now: a COMPLETED or
// CANCELLED dataset commits exactly what its work in flight can still cost — a lease until it
// ends, a submission until its verdict — derived (dataset_funds) from the assignments themselves,
// so every path that ends one (lease expiry, release, verdict) lowers it, whoever runs it.
describe('committed after a dataset ends', () => {
  const clock = new FakeClock();
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', clock, env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => app.close());

  async function ownedDataset(
    options: { gold?: number } = {},
  ): Promise<{ fixture: DatasetFixture; owner: SignedInUser }> {
    const gold = options.gold ?? 0;
    const fixture = await createOpenDataset(app.dataSource, {
      items: 20,
      itemsPerTask: 5,
      answersPerItem: 1,
      gold,
      goldPerTask: gold > 0 ? 1 : 0,
      minGoldAccuracy: gold > 0 ? 1 : null,
    });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    const owner = await signIn(app);
    await giveRoles(app.dataSource, owner.id, [Role.REQUESTER]);
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [fixture.datasetId, owner.id]);
    return { fixture, owner };
  }

  async function funds(datasetId: string): Promise<{ committed: bigint; spent: bigint }> {
    const [row] = await app.dataSource.query('SELECT committed::text, spent::text FROM dataset_funds WHERE id = $1', [
      datasetId,
    ]);
    return { committed: BigInt(row.committed), spent: BigInt(row.spent) };
  }

  const cancel = (owner: SignedInUser, id: string) =>
    gql(app, {
      query: 'mutation($id: ID!) { cancelDataset(id: $id) { status committed } }',
      variables: { id },
      token: owner.token,
    });
  const price = (fixture: DatasetFixture, a: AssignmentJson): bigint =>
    fixture.rewardPerAnswer * BigInt(a.items.length);

  it('keeps a lease committed after the cancel only until it ends (release, expiry); its submit is refused', async () => {
    const { fixture, owner } = await ownedDataset();
    const [w1, w2] = [await signIn(app), await signIn(app)];
    const a1 = (await claim(app, w1.token, fixture.datasetId)).assignment!;
    const a2 = (await claim(app, w2.token, fixture.datasetId)).assignment!;

    expect((await cancel(owner, fixture.datasetId)).data.cancelDataset.status).toBe('CANCELLED');
    expect(await funds(fixture.datasetId)).toEqual({ committed: price(fixture, a1) + price(fixture, a2), spent: 0n });
    expect(errorCode(await submit(app, w1.token, a1.id, answersFor(a1, fixture)))).toBe('DATASET_NOT_OPEN');

    expect((await release(app, w1.token, a1.id)).errors).toBeUndefined();
    expect(await funds(fixture.datasetId)).toEqual({ committed: price(fixture, a2), spent: 0n });
    clock.advance(3600);
    await app.app.get(LeaseReaper).reap();
    // The money the issue found stranded: nothing is committed once nothing is in flight.
    expect(await funds(fixture.datasetId)).toEqual({ committed: 0n, spent: 0n });
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
  });

  it('keeps a submission waiting for its verdict committed until the verdict: ACCEPTED moves it to spent, REJECTED frees it', async () => {
    const { fixture, owner } = await ownedDataset({ gold: 4 });
    const [good, bad] = [await signIn(app), await signIn(app)];
    const a1 = (await claim(app, good.token, fixture.datasetId)).assignment!;
    const a2 = (await claim(app, bad.token, fixture.datasetId)).assignment!;
    expect((await submit(app, good.token, a1.id, answersFor(a1, fixture))).assignment?.status).toBe('SUBMITTED');
    expect(
      (await submit(app, bad.token, a2.id, answersFor(a2, fixture, { goldCorrect: false }))).assignment?.status,
    ).toBe('SUBMITTED');
    await cancel(owner, fixture.datasetId);
    expect(await funds(fixture.datasetId)).toEqual({ committed: price(fixture, a1) + price(fixture, a2), spent: 0n });

    await publishVerdicts(app);
    const statuses = await app.dataSource.query(
      'SELECT id, status FROM assignments WHERE id = ANY($1::uuid[]) ORDER BY status',
      [[a1.id, a2.id]],
    );
    expect(statuses).toEqual([
      { id: a1.id, status: 'ACCEPTED' },
      { id: a2.id, status: 'REJECTED' },
    ]);
    expect(await funds(fixture.datasetId)).toEqual({ committed: 0n, spent: price(fixture, a1) });
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
  });

  it('counts a verdict that commits while the cancel runs exactly once, whichever commits first', async () => {
    const { fixture, owner } = await ownedDataset();
    const worker = await signIn(app);
    const assignment = (await claim(app, worker.token, fixture.datasetId)).assignment!;
    await app.dataSource.query(`UPDATE assignments SET status = 'SUBMITTED', submitted_at = now() WHERE id = $1`, [
      assignment.id,
    ]);
    // The verdict's transaction is open (assignment ACCEPTED and its price spent, not committed)
    // across the whole cancel.
    const runner = app.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query(`UPDATE assignments SET status = 'ACCEPTED', verdict_at = now() WHERE id = $1`, [assignment.id]);
    await recordSpend(runner.manager, {
      datasetId: fixture.datasetId,
      assignmentId: assignment.id,
      amount: price(fixture, assignment),
    });
    expect((await cancel(owner, fixture.datasetId)).data.cancelDataset).toEqual({
      status: 'CANCELLED',
      committed: '0.05',
    });
    await runner.commitTransaction();
    await runner.release();
    expect(await funds(fixture.datasetId)).toEqual({ committed: 0n, spent: price(fixture, assignment) });
  });

  it('frees the commitment of leases still running on a COMPLETED dataset as they are decided or lapse', async () => {
    const { fixture } = await ownedDataset();
    const [w1, w2] = [await signIn(app), await signIn(app)];
    const a1 = (await claim(app, w1.token, fixture.datasetId)).assignment!;
    const a2 = (await claim(app, w2.token, fixture.datasetId)).assignment!;
    await app.dataSource.query(`UPDATE datasets SET status = 'COMPLETED' WHERE id = $1`, [fixture.datasetId]);
    expect((await funds(fixture.datasetId)).committed).toBe(price(fixture, a1) + price(fixture, a2));
    // A COMPLETED dataset still takes a lease's submission: it is paid from what stayed committed.
    expect((await submit(app, w1.token, a1.id, answersFor(a1, fixture))).assignment?.status).toBe('SUBMITTED');
    await publishVerdicts(app);
    expect(await funds(fixture.datasetId)).toEqual({ committed: price(fixture, a2), spent: price(fixture, a1) });
    clock.advance(3600);
    await app.app.get(LeaseReaper).reap();
    expect(await funds(fixture.datasetId)).toEqual({ committed: 0n, spent: price(fixture, a1) });
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
  });
});
