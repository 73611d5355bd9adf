import { ClaimService } from '../../src/tasks/claim.service';
import { publishDataset, type PublishedDataset } from '../quality/published-dataset';
import { signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { claimAndReleaseUntilNothing, claimCost, claimPlans } from './claim-cost';
import { nodesOf } from '../support/explain';
import { invariantViolations } from './invariants';
import { claim, FakeClock, release } from './labeler';

// Invariant 11 for a worker who was shown an item of every open task: each claim answers null
// (NONE), and it must not walk every open task of the dataset to say so. A member of a small crowd
// who did one slot of every task while the others still hold theirs, or a wallet that claimed and
// released every task once, would otherwise make each call cost the dataset's open tasks. Buffers
// of the very statement ClaimRepository sends, with ten times the open tasks.

const FEW_TASKS = 200;
const MANY_TASKS = 10 * FEW_TASKS;

// One item a task, two slots each and no gold: after claiming and releasing each task once, the
// worker has seen every task and every task still has both slots open.
const dataset = (app: TestApp, tasks: number): Promise<PublishedDataset> =>
  publishDataset(app, {
    items: tasks,
    gold: 0,
    input: { itemsPerTask: 1, answersPerItem: 2, goldPerTask: 0, rewardPerAnswer: '1' },
  });

// Claim and give back until nothing is left for `user`; how many leases that took. Near the end the
// two stretches a claim looks at first hold nothing new for them, and the whole walk finds what is
// left: the worker still gets every task.
const seeEveryTask = (app: TestApp, d: PublishedDataset, user: SignedInUser): Promise<number> =>
  claimAndReleaseUntilNothing(app, { workerId: user.id, datasetId: d.id });

describe('a claim of a worker shown an item of every open task (invariant 11)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => app.close());

  // The claim's random starting point is drawn by PostgreSQL's random(), seeded so both datasets
  // are measured from the same relative point, one where both of the claim's walks are full on
  // either dataset: the cost of a walk, not of where it happened to start.
  const claimBuffers = (d: PublishedDataset, user: SignedInUser, seed: number, now?: Date) =>
    claimCost(app, { workerId: user.id, datasetId: d.id, seed, now });

  // Seeds whose first random() is 0.60 and 0.35: a starting point with more than 64 open tasks on
  // either side on the smaller dataset too (checked).
  const SEEDS = [-0.5, 0.6];

  it('costs no more with ten times the open tasks, and every task stays open for the others', async () => {
    const few = await dataset(app, FEW_TASKS);
    const many = await dataset(app, MANY_TASKS);
    const user = await signIn(app);
    // Every task, each once (a worker is never shown an item twice); the claim after the last one
    // walked every task and found nothing.
    expect(await seeEveryTask(app, few, user)).toBe(FEW_TASKS);
    expect(await seeEveryTask(app, many, user)).toBe(MANY_TASKS);

    for (const seed of SEEDS) {
      const [{ r }] = await app.dataSource.query('SELECT setseed($1), random() AS r', [seed]);
      expect(r * FEW_TASKS).toBeGreaterThan(64);
      expect((1 - r) * FEW_TASKS).toBeGreaterThan(64);
    }
    const costs: Record<'few' | 'many', number[]> = { few: [], many: [] };
    for (const seed of SEEDS)
      for (const [name, d] of [
        ['few', few],
        ['many', many],
      ] as const) {
        const { outcome, buffers } = await claimBuffers(d, user, seed);
        expect(outcome).toBe('NONE');
        costs[name].push(buffers);
      }
    // Ten times the walk would cost thousands of buffers more (6,559 against 733 before the walk
    // was bounded); an index one level deeper and the dead index entries the claim-and-release
    // loop left, more of them on the larger dataset: a few dozen.
    costs.many.forEach((many, i) => expect(many).toBeLessThanOrEqual(costs.few[i] + 48));
    // A minute after the last whole walk that found nothing, a claim walks every task again: ten
    // times the tasks, several times the buffers (so the bounded claims above were not whole walks).
    const later = new Date(Date.now() + 61_000);
    const walks = {
      few: (await claimBuffers(few, user, SEEDS[0], later)).buffers,
      many: (await claimBuffers(many, user, SEEDS[0], later)).buffers,
    };
    expect(walks.many).toBeGreaterThan(4 * walks.few);
    expect(walks.many).toBeGreaterThan(4 * costs.many[0]);
    expect(
      await app.dataSource.query('SELECT count(*)::int AS open FROM tasks WHERE dataset_id = $1 AND open_slots = 2', [
        many.id,
      ]),
    ).toEqual([{ open: MANY_TASKS }]);
    // Someone new still gets one.
    const other = await signIn(app);
    expect(
      await app.app.get(ClaimService).claim({ worker: { id: other.id, roles: ['LABELER'] }, datasetId: many.id }),
    ).not.toBeNull();
    expect(await invariantViolations(app.dataSource, many.id)).toEqual({});
  });

  // The plans the two stretches really get inside claim_task, which EXPLAIN of the claim cannot
  // show: the claimable tasks read in order from their index (never gathered and sorted, nor
  // joined by hash or merge: the planner settings the function sets for them), and a task fetched
  // again by its address only when the worker has seen none of its items (migration
  // StretchChecksSeenBeforeFetching): for this worker, who has seen them all, never.
  it('reads each stretch from the claimable index in order and fetches no task seen already a second time', async () => {
    const d = await dataset(app, FEW_TASKS);
    const user = await signIn(app);
    expect(await seeEveryTask(app, d, user)).toBe(FEW_TASKS);
    const plans = await claimPlans(app, { workerId: user.id, datasetId: d.id, seed: SEEDS[0] });
    const stretches = plans.filter((p) => p.text.includes('LIMIT 64'));
    expect(stretches).toHaveLength(2);
    for (const { plan } of stretches) {
      const nodes = nodesOf(plan);
      expect(nodes.map((n) => n['Index Name'])).toContain('tasks_claimable_idx');
      expect(nodes.map((n) => n['Node Type'])).not.toEqual(expect.arrayContaining(['Sort']));
      expect(nodes.map((n) => n['Node Type'])).not.toEqual(expect.arrayContaining(['Hash Join']));
      expect(nodes.map((n) => n['Node Type'])).not.toEqual(expect.arrayContaining(['Merge Join']));
      const fetches = nodes.filter((n) => n['Node Type'] === 'Tid Scan');
      expect(fetches).toHaveLength(1);
      expect(fetches[0]['Actual Loops']).toBe(0);
    }
  });

  // The whole walk passes by tasks other claims hold for a moment (SKIP LOCKED). Finding nothing
  // because of that must not stop the whole walk for a minute: the held task is this worker's next.
  it('does not write down a whole walk that found nothing only because the task left was held by another claim', async () => {
    const d = await dataset(app, FEW_TASKS);
    const user = await signIn(app);
    const [held] = await app.dataSource.query(
      'SELECT id FROM tasks WHERE dataset_id = $1 ORDER BY seq OFFSET $2 LIMIT 1',
      [d.id, FEW_TASKS - 50],
    );
    const holder = app.dataSource.createQueryRunner();
    await holder.startTransaction();
    try {
      await holder.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE', [held.id]);
      // Every other task, then a claim that finds nothing it may take.
      expect(await seeEveryTask(app, d, user)).toBe(FEW_TASKS - 1);
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    expect(
      await app.dataSource.query('SELECT count(*)::int AS n FROM claim_full_walks WHERE worker_id = $1', [user.id]),
    ).toEqual([{ n: 0 }]);
    const next = await app.app
      .get(ClaimService)
      .claim({ worker: { id: user.id, roles: ['LABELER'] }, datasetId: d.id });
    const [{ task_id }] = await app.dataSource.query('SELECT task_id FROM assignments WHERE id = $1', [next!.id]);
    expect(task_id).toBe(held.id);
  });
});

// A claim without a dataset tries the oldest open datasets with a free slot, ten at a time and at
// most twenty (ClaimService). Ten whose every open task the worker had been shown hid every newer
// dataset from them: each answered NONE. Now a dataset walked in full for them in vain within the
// last minute is not listed, and a list that held nothing for them is followed by one more, past the
// datasets tried. With more such datasets than a claim tries, only passing them by reaches a newer one.
describe('a claim without a dataset, for a worker shown every task of the oldest datasets', () => {
  const clock = new FakeClock();
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ clock, env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => app.close());

  const OLD = 21;
  const walkedThisMinute = async (user: SignedInUser): Promise<number> =>
    (
      await app.dataSource.query(
        'SELECT count(*)::int AS n FROM claim_full_walks WHERE worker_id = $1 AND found_nothing_at > $2',
        [user.id, new Date(clock.now().getTime() - 60_000)],
      )
    )[0].n;

  it('passes them by and hands out work from a newer dataset; a minute on, it tries twenty and then passes those by', async () => {
    const user = await signIn(app);
    for (let n = 0; n < OLD; n++) expect(await seeEveryTask(app, await dataset(app, 1), user)).toBe(1);
    const newer = await dataset(app, 1);
    // Each old dataset's last claim walked it in full and found nothing: not listed this minute.
    const first = (await claim(app, user.token, null)).assignment;
    expect(first?.datasetId).toBe(newer.id);
    await release(app, user.token, first!.id);
    expect(await seeEveryTask(app, newer, user)).toBe(0);

    // A minute on, no dataset is remembered: a claim tries two lists of ten, each answering NONE
    // after a whole walk, and stops there.
    const newest = await dataset(app, 1);
    clock.advance(61);
    expect((await claim(app, user.token, null)).assignment).toBeNull();
    expect(await walkedThisMinute(user)).toBe(20);
    // The next claim passes those twenty by; its first list holds the rest and the newest.
    const second = (await claim(app, user.token, null)).assignment;
    expect(second?.datasetId).toBe(newest.id);
    expect(await walkedThisMinute(user)).toBe(OLD + 1);
  });
});
