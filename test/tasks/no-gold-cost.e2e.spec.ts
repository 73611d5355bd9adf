import { publishDataset, type PublishedDataset } from '../quality/published-dataset';
import { signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { errorCode } from '../support/gql';
import { invariantViolations } from './invariants';
import { claimAndReleaseUntilNothing, claimCost } from './claim-cost';
import { claim } from './labeler';

// Invariant 11 for a worker with no gold left: once a labeler has been shown every gold item a
// dataset can show them, each claim there answers NO_GOLD_LEFT (README). Such a claim must not
// read the dataset's whole gold to say so again: a labeler whose client keeps asking, or an
// attacker who used up the gold of many free wallets with claim-and-release loops and then
// claims with all of them, would make every call cost the dataset's gold count. Buffers of the
// very statement ClaimRepository sends, on a dataset with ten times the gold of the other.

const SMALL_GOLD = 30;
const LARGE_GOLD = 10 * SMALL_GOLD;

// One regular item a task, and tasks to spare once the gold is gone: what runs out is gold.
const dataset = (app: TestApp, gold: number): Promise<PublishedDataset> =>
  publishDataset(app, {
    items: gold + 20,
    gold,
    input: { itemsPerTask: 1, answersPerItem: 1, goldPerTask: 1, rewardPerAnswer: '1' },
  });

// Claim and give back until the dataset has no gold left for `user`: each lease shows one gold
// item, and gold shown in a released assignment counts as used. How many leases that took.
const useUpGold = (app: TestApp, d: PublishedDataset, user: SignedInUser): Promise<number> =>
  claimAndReleaseUntilNothing(app, {
    workerId: user.id,
    datasetId: d.id,
    stopsOn: (error) => error.details?.reason === 'NO_GOLD_LEFT',
  });

// Buffers of three claims on each of two datasets, in turn, each answering `outcome`: the least of
// each dataset's three. `workerId` names who makes each claim.
async function leastClaimCosts(
  app: TestApp,
  datasets: { small: PublishedDataset; large: PublishedDataset },
  params: { outcome: string; workerId: () => Promise<string> },
): Promise<{ small: number; large: number }> {
  const costs = { small: [] as number[], large: [] as number[] };
  for (let n = 0; n < 3; n++)
    for (const name of ['small', 'large'] as const) {
      const { outcome, buffers } = await claimCost(app, {
        workerId: await params.workerId(),
        datasetId: datasets[name].id,
      });
      expect(outcome).toBe(params.outcome);
      costs[name].push(buffers);
    }
  return { small: Math.min(...costs.small), large: Math.min(...costs.large) };
}

describe('a claim of a worker with no gold left (invariant 11)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => app.close());

  it('costs no more on a dataset with ten times the gold, and the worker still gets no assignment', async () => {
    const small = await dataset(app, SMALL_GOLD);
    const large = await dataset(app, LARGE_GOLD);
    const user = await signIn(app);
    expect(await useUpGold(app, small, user)).toBe(SMALL_GOLD);
    expect(await useUpGold(app, large, user)).toBe(LARGE_GOLD);

    const costs = await leastClaimCosts(app, { small, large }, { outcome: 'NO_GOLD', workerId: async () => user.id });
    // Ten times the gold read would cost thousands of buffers more (3,847 against 326 before the
    // claims remembered it); the claim's probes of the claimable range's ends pass the dead index
    // entries the claim-and-release loop left, more of them on the larger dataset: a few dozen.
    expect(costs.large).toBeLessThanOrEqual(costs.small + 32);
    const [{ active }] = await app.dataSource.query(
      `SELECT count(*)::int AS active FROM assignments WHERE worker_id = $1 AND status = 'ACTIVE'`,
      [user.id],
    );
    expect(active).toBe(0);
    expect(await invariantViolations(app.dataSource, small.id)).toEqual({});
    expect(await invariantViolations(app.dataSource, large.id)).toEqual({});
  });

  it('keeps answering NO_GOLD_LEFT through the API, while a worker with gold left still gets an assignment with gold', async () => {
    const d = await dataset(app, 3);
    const user = await signIn(app);
    expect(await useUpGold(app, d, user)).toBe(3);
    for (let n = 0; n < 2; n++) {
      const dry = await claim(app, user.token, d.id);
      expect(errorCode(dry)).toBe('NOTHING_TO_CLAIM');
      expect(dry.errors![0].extensions?.details).toEqual({ reason: 'NO_GOLD_LEFT' });
    }
    const fresh = (await claim(app, (await signIn(app)).token, d.id)).assignment!;
    expect(fresh.items.filter((item) => d.goldIds.has(item.id))).toHaveLength(1);
    expect(await invariantViolations(app.dataSource, d.id)).toEqual({});
  });

  // The invariant checker itself: a worker noted without gold who has gold left is reported.
  it('the invariants report a worker noted without gold who has gold left', async () => {
    const d = await dataset(app, 3);
    const user = await signIn(app);
    await app.dataSource.query(
      'INSERT INTO workers_without_gold (worker_id, dataset_id, noted_at) VALUES ($1, $2, now())',
      [user.id, d.id],
    );
    expect(Object.keys(await invariantViolations(app.dataSource, d.id))).toEqual([
      expect.stringMatching(/^no gold left:/),
    ]);
  });
});

// Invariant 11 for gold others used up: each gold item is shown to at most goldExposureCap workers,
// and as a dataset is worked its gold reaches the cap. A claim must not read through the gold
// others used up to find what is left: once every gold item of a dataset was at its cap, each new
// worker's first claim (each new free wallet's) read all of it, three times, to answer NO_GOLD.
describe('a claim of a new worker on a dataset whose gold others used up (invariant 11)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => app.close());

  // Each gold item shown to one worker at most: one worker's claim-and-release loop uses it all up.
  const usedUp = async (gold: number): Promise<PublishedDataset> => {
    const d = await publishDataset(app, {
      items: gold + 20,
      gold,
      input: { itemsPerTask: 1, answersPerItem: 1, goldPerTask: 1, rewardPerAnswer: '1', goldExposureCap: 1 },
    });
    expect(await useUpGold(app, d, await signIn(app))).toBe(gold);
    return d;
  };

  it('costs no more with ten times the used-up gold, and answers NO_GOLD', async () => {
    const small = await usedUp(SMALL_GOLD);
    const large = await usedUp(LARGE_GOLD);
    // A new worker each time: the first NO_GOLD is remembered, the next claim would not read gold.
    const costs = await leastClaimCosts(
      app,
      { small, large },
      { outcome: 'NO_GOLD', workerId: async () => (await signIn(app)).id },
    );
    // Reading through ten times the used-up gold costs thousands of buffers more; an index one level
    // deeper and the dead entries of the claim-and-release loop, a few dozen.
    expect(costs.large).toBeLessThanOrEqual(costs.small + 32);
    for (const d of [small, large]) {
      expect(
        await app.dataSource.query(
          'SELECT count(*)::int AS capped FROM items WHERE dataset_id = $1 AND is_gold AND gold_capped',
          [d.id],
        ),
      ).toEqual([{ capped: d.goldIds.size }]);
      expect(await invariantViolations(app.dataSource, d.id)).toEqual({});
    }
  });

  // The invariant checker itself: gold marked capped below its cap is reported.
  it('the invariants report gold marked capped below the cap', async () => {
    const d = await dataset(app, 3);
    await app.dataSource.query('UPDATE items SET gold_capped = true WHERE id = $1', [[...d.goldIds][0]]);
    expect(Object.keys(await invariantViolations(app.dataSource, d.id))).toEqual([
      expect.stringMatching(/^gold capped:/),
    ]);
  });
});

// A claim without a dataset tries the oldest open datasets with a free slot, at most twenty
// (ClaimService): before, ten whose gold the worker had used up hid every newer one from them. With
// more used-up datasets than a claim tries, only passing them by reaches the newer one.
describe('a claim without a dataset, for a worker with no gold left on the oldest datasets', () => {
  // An app of its own: the open datasets of the tests above would be the oldest ones here.
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => app.close());

  it('passes them by and hands out work from a newer dataset', async () => {
    const user = await signIn(app);
    for (let n = 0; n < 21; n++) expect(await useUpGold(app, await dataset(app, 1), user)).toBe(1);
    const newest = await dataset(app, 1);
    const { assignment } = await claim(app, user.token, null);
    expect(assignment).not.toBeNull();
    expect(assignment!.items.filter((item) => newest.goldIds.has(item.id))).toHaveLength(1);
  });
});
