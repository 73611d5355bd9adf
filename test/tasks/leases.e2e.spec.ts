import { LeaseReaper } from '../../src/tasks/lease-reaper.service';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset, type DatasetFixture } from '../support/fixtures';
import { errorCode } from '../support/gql';
import { holdRows, lockWaitSeen } from '../support/interleave';
import { signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { answersFor, claim, FakeClock, publishVerdicts, release, submit, type AssignmentJson } from './labeler';

// role 'api': no background reaper, so each test decides when reaping happens.
describe('leases', () => {
  const clock = new FakeClock();
  let app: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', clock, env: { SIGN_IN_RATE_LIMIT: '100000' } });
    second = await startTestApp({ shareWith: app, clock });
  });
  afterAll(async () => {
    await second.close();
    await app.close();
  });

  async function openDataset(options: Parameters<typeof createOpenDataset>[1]): Promise<DatasetFixture> {
    const fixture = await createOpenDataset(app.dataSource, options);
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    return fixture;
  }
  const row = async (sql: string, params: unknown[]) => (await app.dataSource.query(sql, params))[0];
  const abandoned = async (workerId: string): Promise<number | undefined> =>
    (await row('SELECT abandoned FROM worker_stats WHERE worker_id = $1', [workerId]))?.abandoned;
  const openSlots = async (assignmentId: string): Promise<number> =>
    (
      await row('SELECT open_slots FROM tasks WHERE id = (SELECT task_id FROM assignments WHERE id = $1)', [
        assignmentId,
      ])
    ).open_slots;

  it('the reaper expires a lease that ran out and the slot goes to another worker', async () => {
    const fixture = await openDataset({ items: 5, itemsPerTask: 5, answersPerItem: 1, leaseSeconds: 60 });
    const [a, b] = [await signIn(app), await signIn(app)];
    const held = (await claim(app, a.token, fixture.datasetId)).assignment!;
    expect((await claim(app, b.token, fixture.datasetId)).assignment).toBeNull();
    clock.advance(30);
    await app.app.get(LeaseReaper).reap();
    expect((await row('SELECT status FROM assignments WHERE id = $1', [held.id])).status).toBe('ACTIVE');
    clock.advance(31);
    await app.app.get(LeaseReaper).reap();
    expect((await row('SELECT status FROM assignments WHERE id = $1', [held.id])).status).toBe('EXPIRED');
    expect(await openSlots(held.id)).toBe(1);
    expect(await abandoned(a.id)).toBe(1);
    const taken = (await claim(app, b.token, fixture.datasetId)).assignment!;
    expect(taken.items.map((i) => i.id).sort()).toEqual(held.items.map((i) => i.id).sort());
    expect(errorCode(await submit(app, a.token, held.id, answersFor(held, fixture)))).toBe('LEASE_EXPIRED');
    expect(await abandoned(a.id)).toBe(1);
    expect((await submit(app, b.token, taken.id, answersFor(taken, fixture))).assignment?.status).toBe('SUBMITTED');
    // A submission waiting for its verdict is no lease: its time running out ends nothing.
    clock.advance(61);
    await app.app.get(LeaseReaper).reap();
    expect((await row('SELECT status FROM assignments WHERE id = $1', [taken.id])).status).toBe('SUBMITTED');
    expect(await openSlots(taken.id)).toBe(0);
    await publishVerdicts(app);
    expect(
      await row(
        'SELECT a.status, w.abandoned FROM assignments a JOIN worker_stats w ON w.worker_id = a.worker_id AND w.dataset_id = a.dataset_id WHERE a.id = $1',
        [taken.id],
      ),
    ).toEqual({ status: 'ACCEPTED', abandoned: 0 });
  });

  it('refuses a late submission with LEASE_EXPIRED before the reaper runs, and frees the slot itself', async () => {
    const fixture = await openDataset({ items: 5, itemsPerTask: 5, answersPerItem: 2, leaseSeconds: 60 });
    const user = await signIn(app);
    const held = (await claim(app, user.token, fixture.datasetId)).assignment!;
    expect(await openSlots(held.id)).toBe(1);
    clock.advance(61);
    const res = await submit(app, user.token, held.id, answersFor(held, fixture));
    expect(errorCode(res)).toBe('LEASE_EXPIRED');
    expect((await row('SELECT status FROM assignments WHERE id = $1', [held.id])).status).toBe('EXPIRED');
    expect(await openSlots(held.id)).toBe(2);
    expect((await row('SELECT count(*)::int AS n FROM answers WHERE assignment_id = $1', [held.id])).n).toBe(0);
    expect(await row('SELECT submitted, pending, abandoned FROM worker_stats WHERE worker_id = $1', [user.id])).toEqual(
      { submitted: 0, pending: 0, abandoned: 1 },
    );
    expect(errorCode(await submit(app, user.token, held.id, answersFor(held, fixture)))).toBe('LEASE_EXPIRED');
    expect(await abandoned(user.id)).toBe(1);
  });

  it('a worker whose lease ran out gets a new task on their next claim, never the one they saw, nor its gold', async () => {
    const fixture = await openDataset({ items: 10, itemsPerTask: 5, gold: 3, goldPerTask: 1, leaseSeconds: 60 });
    const user = await signIn(app);
    const old = (await claim(app, user.token, fixture.datasetId)).assignment!;
    clock.advance(61);
    const fresh = (await claim(app, user.token, fixture.datasetId)).assignment!;
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.items.some((i) => old.items.some((o) => o.id === i.id))).toBe(false);
    expect((await row('SELECT status FROM assignments WHERE id = $1', [old.id])).status).toBe('EXPIRED');
    expect(await openSlots(old.id)).toBe(3);
    expect(await abandoned(user.id)).toBe(1);
    // The expired lease's gold was shown: it stays used, for this worker and in its exposures.
    const goldOf = (items: { id: string }[]) => items.filter((i) => fixture.goldLabels.has(i.id)).map((i) => i.id);
    expect(goldOf(fresh.items)).toHaveLength(1);
    expect(goldOf(fresh.items)).not.toEqual(goldOf(old.items));
    expect(
      (await row('SELECT sum(gold_exposures)::int AS n FROM items WHERE dataset_id = $1', [fixture.datasetId])).n,
    ).toBe(2);
  });

  it('release gives the slot back at once; releasing again is harmless; a finished assignment cannot be released', async () => {
    const fixture = await openDataset({ items: 10, itemsPerTask: 5, leaseSeconds: 60 });
    const user = await signIn(app);
    const held = (await claim(app, user.token, fixture.datasetId)).assignment!;
    expect(await openSlots(held.id)).toBe(2);
    expect((await release(app, user.token, held.id)).data.releaseAssignment).toBe(true);
    expect((await row('SELECT status FROM assignments WHERE id = $1', [held.id])).status).toBe('RELEASED');
    expect(await openSlots(held.id)).toBe(3);
    expect(await abandoned(user.id)).toBe(1);
    expect((await release(app, user.token, held.id)).data.releaseAssignment).toBe(true);
    expect(await openSlots(held.id)).toBe(3);
    expect(await abandoned(user.id)).toBe(1);
    const next = (await claim(app, user.token, fixture.datasetId)).assignment!;
    await submit(app, user.token, next.id, answersFor(next, fixture));
    // Submitted and waiting for its verdict, or decided: neither can be released.
    expect(errorCode(await release(app, user.token, next.id))).toBe('ASSIGNMENT_NOT_ACTIVE');
    await publishVerdicts(app);
    expect(errorCode(await release(app, user.token, next.id))).toBe('ASSIGNMENT_NOT_ACTIVE');
    expect(await row('SELECT submitted, pending, abandoned FROM worker_stats WHERE worker_id = $1', [user.id])).toEqual(
      { submitted: 1, pending: 0, abandoned: 1 },
    );
  });

  // PostgreSQL already ran the old statement's stats upsert before its task update (unread
  // data-modifying CTEs run last, the latest first); this guards the order the statement now states.
  it("ending a lease locks the worker's stats before the task, as a verdict does", async () => {
    const fixture = await openDataset({ items: 10, itemsPerTask: 5, leaseSeconds: 60 });
    const user = await signIn(app);
    // A first release gives the worker a stats row on the dataset.
    const first = (await claim(app, user.token, fixture.datasetId)).assignment!;
    expect((await release(app, user.token, first.id)).data.releaseAssignment).toBe(true);
    const held = (await claim(app, user.token, fixture.datasetId)).assignment!;
    const { task_id: taskId } = await row('SELECT task_id FROM assignments WHERE id = $1', [held.id]);
    // A verdict of this worker holds their stats row: the release waits for it...
    const stats = await holdRows(
      app.config.databaseUrl,
      'SELECT worker_id FROM worker_stats WHERE worker_id = $1 AND dataset_id = $2',
      [user.id, fixture.datasetId],
    );
    const released = release(app, user.token, held.id);
    await lockWaitSeen(app.config.databaseUrl, '%abandoned%');
    // ...before it has locked the task, which that verdict may be about to lock.
    await expect(
      app.dataSource.transaction((m) => m.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE NOWAIT', [taskId])),
    ).resolves.toHaveLength(1);
    await stats.release();
    expect((await released).data.releaseAssignment).toBe(true);
    expect(await openSlots(held.id)).toBe(3);
    expect(await abandoned(user.id)).toBe(2);
  });

  it('the reaper gives slots back task by task in id order, as a verdict locks them (no lock cycle with one)', async () => {
    // One slot per task: five workers hold leases on the five tasks.
    const fixture = await openDataset({ items: 25, itemsPerTask: 5, answersPerItem: 1, leaseSeconds: 60 });
    const workers = await Promise.all(Array.from({ length: 5 }, () => signIn(app)));
    const leases: AssignmentJson[] = [];
    for (const w of workers) leases.push((await claim(app, w.token, fixture.datasetId)).assignment!);
    const tasks = (
      await app.dataSource.query('SELECT task_id FROM assignments WHERE id = ANY ($1::uuid[]) ORDER BY task_id', [
        leases.map((l) => l.id),
      ])
    ).map((r: { task_id: string }) => r.task_id);
    expect(new Set(tasks).size).toBe(5);
    clock.advance(61);
    // A verdict holds the lowest task: the reaper waits for it before it locks any other. Locked in
    // join order, four in five runs would have taken some of the others first.
    const lowest = await holdRows(app.config.databaseUrl, 'SELECT id FROM tasks WHERE id = $1', [tasks[0]]);
    const reaped = app.app.get(LeaseReaper).reap();
    await lockWaitSeen(app.config.databaseUrl, '%WITH due AS%');
    for (const task of tasks.slice(1))
      await expect(
        app.dataSource.transaction((m) => m.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE NOWAIT', [task])),
      ).resolves.toHaveLength(1);
    await lowest.release();
    expect(await reaped).toBeGreaterThanOrEqual(5);
    expect(await Promise.all(leases.map((l) => openSlots(l.id)))).toEqual([1, 1, 1, 1, 1]);
  });

  it('two reapers on two instances at once end every lease exactly once', async () => {
    const fixture = await openDataset({ items: 200, itemsPerTask: 2, answersPerItem: 3 });
    // 100 tasks x 2 leases held by 200 made-up workers, all past their end.
    await app.dataSource.query(
      `INSERT INTO assignments (task_id, dataset_id, worker_id, item_ids, status, expires_at)
       SELECT t.id, t.dataset_id, gen_random_uuid(), t.item_ids, 'ACTIVE', $2 FROM tasks t, generate_series(1, 2) WHERE t.dataset_id = $1`,
      [fixture.datasetId, new Date(clock.now().getTime() - 1000)],
    );
    await app.dataSource.query('UPDATE tasks SET open_slots = open_slots - 2 WHERE dataset_id = $1', [
      fixture.datasetId,
    ]);
    const reapers = [app, second, app, second].map((instance) => instance.app.get(LeaseReaper));
    const counts = await Promise.all(reapers.map((r) => r.reap()));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
    expect(
      await row(
        `SELECT count(*) FILTER (WHERE status = 'EXPIRED')::int AS expired, count(*) FILTER (WHERE status = 'ACTIVE')::int AS active FROM assignments WHERE dataset_id = $1`,
        [fixture.datasetId],
      ),
    ).toEqual({ expired: 200, active: 0 });
    expect(
      await row('SELECT min(open_slots) AS lo, max(open_slots) AS hi FROM tasks WHERE dataset_id = $1', [
        fixture.datasetId,
      ]),
    ).toEqual({ lo: 3, hi: 3 });
    // Each lease counted once as abandoned by its worker.
    expect(
      await row(
        'SELECT count(*)::int AS workers, sum(abandoned)::int AS abandoned FROM worker_stats WHERE dataset_id = $1',
        [fixture.datasetId],
      ),
    ).toEqual({ workers: 200, abandoned: 200 });
  });
});
