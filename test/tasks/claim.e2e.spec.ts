import { Role } from '../../src/auth/role';
import { claimStatement } from '../../src/tasks/claim.repository';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset, type DatasetFixture } from '../support/fixtures';
import { errorCode } from '../support/gql';
import { holdAdvisoryLock, lockWaitSeen } from '../support/interleave';
import { signIn, signInAs } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { answersFor, claim, release, submit, submitAndSettle } from './labeler';

describe('claimTask', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => app.close());

  async function openDataset(options: Parameters<typeof createOpenDataset>[1] = {}): Promise<DatasetFixture> {
    const fixture = await createOpenDataset(app.dataSource, options);
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    return fixture;
  }

  it('hands out one whole task of the split with a lease, items in the public shape only', async () => {
    const fixture = await openDataset({ items: 10, itemsPerTask: 5, leaseSeconds: 300 });
    const user = await signIn(app);
    const before = Date.now();
    const { assignment, errors } = await claim(app, user.token, fixture.datasetId);
    const after = Date.now();
    expect(errors).toBeUndefined();
    expect(assignment).toMatchObject({ datasetId: fixture.datasetId, status: 'ACTIVE' });
    for (const item of assignment!.items) expect(Object.keys(item).sort()).toEqual(['id', 'payload']);
    // Which task is not fixed (claims start at a random point), but it is one of the split's
    // tasks, whole, and only its slot was taken.
    const tasks: { item_ids: string[]; open_slots: number; slots: number }[] = await app.dataSource.query(
      'SELECT item_ids, open_slots, slots FROM tasks WHERE dataset_id = $1',
      [fixture.datasetId],
    );
    const shown = assignment!.items.map((i) => i.id).sort();
    const taken = tasks.filter((t) => [...t.item_ids].sort().join() === shown.join());
    expect(taken).toHaveLength(1);
    expect(fixture.regularIds).toEqual(expect.arrayContaining(shown));
    expect(
      tasks.map((t) => ({ open_slots: t.open_slots, slots: t.slots })).sort((a, b) => a.open_slots - b.open_slots),
    ).toEqual([
      { open_slots: 2, slots: 3 },
      { open_slots: 3, slots: 3 },
    ]);
    expect(taken[0].open_slots).toBe(2);
    // The lease started during the call: expiresAt − 300 s lies between the call's start and end.
    const leaseStart = new Date(assignment!.expiresAt).getTime() - 300_000;
    expect(leaseStart).toBeGreaterThanOrEqual(before);
    expect(leaseStart).toBeLessThanOrEqual(after);
  });

  it('returns the same live assignment to a double-click, even when the clicks race', async () => {
    const fixture = await openDataset({ items: 20, itemsPerTask: 5 });
    const user = await signIn(app);
    const results = await Promise.all(Array.from({ length: 6 }, () => claim(app, user.token, fixture.datasetId)));
    const ids = new Set(results.map((r) => r.assignment?.id));
    expect(ids.size).toBe(1);
    expect(ids.has(undefined)).toBe(false);
    const [{ n }] = await app.dataSource.query(`SELECT count(*)::int AS n FROM assignments WHERE worker_id = $1`, [
      user.id,
    ]);
    expect(n).toBe(1);
    const [{ taken }] = await app.dataSource.query(
      'SELECT sum(slots - open_slots)::int AS taken FROM tasks WHERE dataset_id = $1',
      [fixture.datasetId],
    );
    expect(taken).toBe(1);
  });

  // The interleaving the race above hopes for, forced: two claims of one worker both queued on
  // claim_task's per-(worker, dataset) advisory lock. The one that gets it second must read the
  // live lease after the first one committed (its read of the lease is a statement after the
  // lock, not part of it), or it would take a second task.
  it("returns the first claim's lease to a second claim that waited for it", async () => {
    const fixture = await openDataset({ items: 20, itemsPerTask: 5 });
    const user = await signIn(app);
    const [keys] = await app.dataSource.query('SELECT hashtext($1::text) AS worker, hashtext($2::text) AS dataset', [
      user.id,
      fixture.datasetId,
    ]);
    const held = await holdAdvisoryLock(app.config.databaseUrl, keys.worker, keys.dataset);
    // One click after the other is seen waiting: sent together they could go out in one batch
    // (one transaction, tested in claim-batch.spec.ts), and this is about two transactions.
    const clicks = [claim(app, user.token, fixture.datasetId)];
    await lockWaitSeen(app.config.databaseUrl, '%claim_task%', 20_000, 1);
    clicks.push(claim(app, user.token, fixture.datasetId));
    await lockWaitSeen(app.config.databaseUrl, '%claim_task%', 20_000, 2);
    await held.release();
    const [first, second] = await Promise.all(clicks);
    expect(first.assignment?.id).toBeDefined();
    expect(second.assignment?.id).toBe(first.assignment?.id);
    const [{ n }] = await app.dataSource.query(`SELECT count(*)::int AS n FROM assignments WHERE worker_id = $1`, [
      user.id,
    ]);
    expect(n).toBe(1);
  });

  it('never gives a worker a task holding an item they were shown before, even after a release', async () => {
    const fixture = await openDataset({ items: 10, itemsPerTask: 5 });
    const user = await signIn(app);
    const first = (await claim(app, user.token, fixture.datasetId)).assignment!;
    expect((await release(app, user.token, first.id)).data.releaseAssignment).toBe(true);
    const second = (await claim(app, user.token, fixture.datasetId)).assignment!;
    expect(second.items.some((i) => first.items.some((f) => f.id === i.id))).toBe(false);
    expect((await submitAndSettle(app, user.token, second.id, answersFor(second, fixture))).verdict).toBe('ACCEPTED');
    // Both tasks still have open slots, but this worker has seen every item: nothing for them.
    const third = await claim(app, user.token, fixture.datasetId);
    expect(third.errors).toBeUndefined();
    expect(third.assignment).toBeNull();
  });

  it('skips a top-up task that repeats an item the worker already answered', async () => {
    const fixture = await openDataset({ items: 10, itemsPerTask: 5, answersPerItem: 1 });
    const user = await signIn(app);
    const first = (await claim(app, user.token, fixture.datasetId)).assignment!;
    expect((await submitAndSettle(app, user.token, first.id, answersFor(first, fixture))).verdict).toBe('ACCEPTED');
    const answered = first.items.map((i) => i.id);
    // What a dynamic-overlap top-up looks like: a new task over items that already have answers.
    const topUp = answered.slice(2, 4);
    await app.dataSource.query(
      `INSERT INTO tasks (dataset_id, item_ids, slots, open_slots) VALUES ($1, $2::uuid[], 1, 1)`,
      [fixture.datasetId, topUp],
    );
    const second = (await claim(app, user.token, fixture.datasetId)).assignment!;
    expect(second.items.map((i) => i.id).sort()).toEqual(
      fixture.regularIds.filter((id) => !answered.includes(id)).sort(),
    );
    await submit(app, user.token, second.id, answersFor(second, fixture));
    expect((await claim(app, user.token, fixture.datasetId)).assignment).toBeNull();
    const other = await signIn(app);
    expect((await claim(app, other.token, fixture.datasetId)).assignment!.items.map((i) => i.id).sort()).toEqual(
      [...topUp].sort(),
    );
  });

  it('refuses the dataset owner with OWN_DATASET and takes nothing', async () => {
    const fixture = await openDataset({ items: 10, itemsPerTask: 5, gold: 4, goldPerTask: 1 });
    const owner = await signIn(app);
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [fixture.datasetId, owner.id]);
    const res = await claim(app, owner.token, fixture.datasetId);
    expect(errorCode(res)).toBe('OWN_DATASET');
    expect(res.assignment).toBeNull();
    expect(
      await app.dataSource.query('SELECT sum(slots - open_slots)::int AS taken FROM tasks WHERE dataset_id = $1', [
        fixture.datasetId,
      ]),
    ).toEqual([{ taken: 0 }]);
    expect(
      await app.dataSource.query('SELECT sum(gold_exposures)::int AS shown FROM items WHERE dataset_id = $1', [
        fixture.datasetId,
      ]),
    ).toEqual([{ shown: 0 }]);
  });

  it('never hands out an assignment without gold: a worker with no unseen gold left gets NOTHING_TO_CLAIM (NO_GOLD_LEFT), released gold counting as seen', async () => {
    const fixture = await openDataset({ items: 20, itemsPerTask: 5, gold: 2, goldPerTask: 1 });
    const user = await signIn(app);
    const goldShown: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { assignment } = await claim(app, user.token, fixture.datasetId);
      const gold = assignment!.items.filter((item) => fixture.goldLabels.has(item.id)).map((item) => item.id);
      expect(gold).toHaveLength(1);
      goldShown.push(...gold);
      expect((await release(app, user.token, assignment!.id)).data.releaseAssignment).toBe(true);
    }
    expect(new Set(goldShown).size).toBe(2);
    const dry = await claim(app, user.token, fixture.datasetId);
    expect(errorCode(dry)).toBe('NOTHING_TO_CLAIM');
    expect(dry.errors![0].extensions?.details).toEqual({ reason: 'NO_GOLD_LEFT' });
    // The refused claim gave back the slot and the exposure it had taken.
    expect(
      await app.dataSource.query('SELECT sum(slots - open_slots)::int AS taken FROM tasks WHERE dataset_id = $1', [
        fixture.datasetId,
      ]),
    ).toEqual([{ taken: 0 }]);
    expect(
      await app.dataSource.query('SELECT gold_exposures FROM items WHERE dataset_id = $1 AND is_gold', [
        fixture.datasetId,
      ]),
    ).toEqual([{ gold_exposures: 1 }, { gold_exposures: 1 }]);
    // Someone who has not seen the gold still gets work with gold in it.
    const other = (await claim(app, (await signIn(app)).token, fixture.datasetId)).assignment!;
    expect(other.items.filter((item) => fixture.goldLabels.has(item.id))).toHaveLength(1);
  });

  it('shows each gold item to at most goldExposureCap workers; past it, workers get NOTHING_TO_CLAIM (NO_GOLD_LEFT)', async () => {
    const fixture = await openDataset({ items: 20, itemsPerTask: 5, gold: 2, goldPerTask: 1, goldExposureCap: 1 });
    const gold: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { assignment } = await claim(app, (await signIn(app)).token, fixture.datasetId);
      gold.push(...assignment!.items.filter((item) => fixture.goldLabels.has(item.id)).map((item) => item.id));
    }
    expect(gold.sort()).toEqual([...fixture.goldIds].sort());
    const late = await claim(app, (await signIn(app)).token, fixture.datasetId);
    expect(errorCode(late)).toBe('NOTHING_TO_CLAIM');
    expect(late.errors![0].extensions?.details).toEqual({ reason: 'NO_GOLD_LEFT' });
    expect(
      await app.dataSource.query('SELECT gold_exposures FROM items WHERE dataset_id = $1 AND is_gold', [
        fixture.datasetId,
      ]),
    ).toEqual([{ gold_exposures: 1 }, { gold_exposures: 1 }]);
  });

  it('returns null when every slot is taken', async () => {
    const fixture = await openDataset({ items: 5, itemsPerTask: 5, answersPerItem: 1 });
    const [a, b] = [await signIn(app), await signIn(app)];
    expect((await claim(app, a.token, fixture.datasetId)).assignment).not.toBeNull();
    const res = await claim(app, b.token, fixture.datasetId);
    expect(res.errors).toBeUndefined();
    expect(res.assignment).toBeNull();
  });

  it('refuses a PAUSED dataset, which everyone may see, with DATASET_NOT_OPEN', async () => {
    const fixture = await openDataset({ items: 5 });
    await app.dataSource.query(`UPDATE datasets SET status = 'PAUSED' WHERE id = $1`, [fixture.datasetId]);
    const res = await claim(app, (await signIn(app)).token, fixture.datasetId);
    expect(errorCode(res)).toBe('DATASET_NOT_OPEN');
  });

  it.each([['CANCELLED'], ['COMPLETED']] as const)(
    'answers a stranger about a %s dataset exactly as about one that does not exist',
    async (status) => {
      const fixture = await openDataset({ items: 5 });
      await app.dataSource.query('UPDATE datasets SET status = $2 WHERE id = $1', [fixture.datasetId, status]);
      const stranger = await signIn(app);
      const hidden = await claim(app, stranger.token, fixture.datasetId);
      const unknown = await claim(app, stranger.token, '5d0c9a5e-2b4f-4c1e-9d43-000000000000');
      expect(errorCode(hidden)).toBe('NOT_FOUND');
      expect(hidden.errors).toEqual(unknown.errors);
      expect(JSON.stringify(hidden)).not.toMatch(new RegExp(status, 'i'));
      // Those who may see it are told why it hands out nothing (its owner, that it is theirs).
      for (const viewer of [
        await signInAs(app, [Role.LABELER, Role.ADMIN]),
        await signInAs(app, [Role.LABELER, Role.REVIEWER]),
      ]) {
        expect(errorCode(await claim(app, viewer.token, fixture.datasetId))).toBe('DATASET_NOT_OPEN');
      }
      const owner = await signIn(app);
      await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [fixture.datasetId, owner.id]);
      expect(errorCode(await claim(app, owner.token, fixture.datasetId))).toBe('OWN_DATASET');
    },
  );

  it('keeps handing a worker their live lease while the dataset is paused, and nothing new', async () => {
    const fixture = await openDataset({ items: 10, itemsPerTask: 5 });
    const user = await signIn(app);
    const held = (await claim(app, user.token, fixture.datasetId)).assignment!;
    await app.dataSource.query(`UPDATE datasets SET status = 'PAUSED' WHERE id = $1`, [fixture.datasetId]);
    expect((await claim(app, user.token, fixture.datasetId)).assignment?.id).toBe(held.id);
    expect(errorCode(await claim(app, (await signIn(app)).token, fixture.datasetId))).toBe('DATASET_NOT_OPEN');
  });

  it.each([
    ['an unknown dataset', async () => '5d0c9a5e-2b4f-4c1e-9d43-000000000000'],
    ['a malformed id', async () => 'not-a-uuid'],
    ['a draft', async () => (await createOpenDataset(app.dataSource, { status: 'DRAFT' })).datasetId],
  ])('answers NOT_FOUND for %s', async (_name, datasetId) => {
    const res = await claim(app, (await signIn(app)).token, await datasetId());
    expect(errorCode(res)).toBe('NOT_FOUND');
  });

  it('refuses a blocked account', async () => {
    const fixture = await openDataset({ items: 5 });
    const user = await signIn(app);
    await app.dataSource.query('UPDATE accounts SET blocked = true WHERE id = $1', [user.id]);
    expect(errorCode(await claim(app, user.token, fixture.datasetId))).toBe('ACCOUNT_BLOCKED');
  });

  it('refuses a worker blocked on this dataset, and only on this dataset', async () => {
    const fixture = await openDataset({ items: 5 });
    const other = await openDataset({ items: 5 });
    const user = await signIn(app);
    await app.dataSource.query(`INSERT INTO worker_stats (worker_id, dataset_id, blocked) VALUES ($1, $2, true)`, [
      user.id,
      fixture.datasetId,
    ]);
    expect(errorCode(await claim(app, user.token, fixture.datasetId))).toBe('WORKER_BLOCKED_ON_DATASET');
    expect((await claim(app, user.token, other.datasetId)).assignment).not.toBeNull();
  });

  it('refuses callers without the LABELER role', async () => {
    const fixture = await openDataset({ items: 5 });
    const requester = await signInAs(app, [Role.REQUESTER]);
    expect(errorCode(await claim(app, requester.token, fixture.datasetId))).toBe('FORBIDDEN');
  });

  it('without a dataset id: returns the live lease, else claims on an open dataset the worker neither owns nor is blocked on', async () => {
    const user = await signIn(app);
    await app.dataSource.query(`UPDATE datasets SET status = 'CANCELLED' WHERE status = 'OPEN'`);
    expect((await claim(app, user.token, null)).assignment).toBeNull();
    const blocked = await openDataset({ items: 5 });
    await app.dataSource.query(`INSERT INTO worker_stats (worker_id, dataset_id, blocked) VALUES ($1, $2, true)`, [
      user.id,
      blocked.datasetId,
    ]);
    expect((await claim(app, user.token, null)).assignment).toBeNull();
    const own = await openDataset({ items: 5 });
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [own.datasetId, user.id]);
    expect((await claim(app, user.token, null)).assignment).toBeNull();
    const open = await openDataset({ items: 5 });
    const got = (await claim(app, user.token, null)).assignment!;
    expect(got.datasetId).toBe(open.datasetId);
    expect((await claim(app, user.token)).assignment?.id).toBe(got.id);
  });

  it('commits a claim without waiting for the WAL flush, that transaction alone', async () => {
    const fixture = await openDataset({ items: 10, itemsPerTask: 5 });
    const user = await signIn(app);
    const statement = claimStatement({ workerId: user.id, datasetId: fixture.datasetId, now: new Date() });
    const runner = app.dataSource.createQueryRunner();
    await runner.connect();
    const commitMode = async (): Promise<string> =>
      ((await runner.query('SHOW synchronous_commit')) as { synchronous_commit: string }[])[0].synchronous_commit;
    try {
      // Whatever the server's default, the session asks for the flush; the claim turns it off for
      // its own transaction only.
      await runner.query('SET synchronous_commit = on');
      const before = await commitMode();
      await runner.startTransaction();
      const [row] = (await runner.query(statement.text, statement.values)) as { claim: { outcome: string } }[];
      const during = await commitMode();
      await runner.commitTransaction();
      // The connection's next transaction (a submit, a verdict) waits for its flush again.
      expect({ before, outcome: row.claim.outcome, during, after: await commitMode() }).toEqual({
        before: 'on',
        outcome: 'CLAIMED',
        during: 'off',
        after: 'on',
      });
    } finally {
      await runner.release();
    }
  });
});
