import { consensusService } from '../consensus/fixtures';
import { errorCode, gql } from '../support/gql';
import { seededRandom } from '../support/seeded-random';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { claim, FakeClock, publishVerdicts, release, submit, type AssignmentJson } from '../tasks/labeler';
import { publishDataset, type PublishedDataset } from './published-dataset';
import { Role } from '../../src/auth/role';
import { GoldRescoreService } from '../../src/disputes/gold-rescore.service';
import { appealRetiringGold } from '../disputes/reviewer';
import { invariantViolations } from '../tasks/invariants';

// The attacks of a hostile labeler with free wallets on quality control, each run as the attacker
// would run it, through the public API — and what honest workers must still get.

const WORKER_QUALITY = `query($d: ID!) { workerQuality(datasetId: $d, first: 100) { edges { node {
  workerId goldAnswers goldAccuracy blocked blockReason submittedAssignments abandonedAssignments releaseRate pendingAssignments
  regularCompared regularAgreement goldGamingSuspected } } } }`;

async function workerQuality(
  app: TestApp,
  dataset: PublishedDataset,
  workerId: string,
): Promise<Record<string, unknown>> {
  const res = await gql(app, { query: WORKER_QUALITY, variables: { d: dataset.id }, token: dataset.owner.token });
  const node = res.data?.workerQuality.edges
    .map((e: { node: Record<string, unknown> }) => e.node)
    .find((n: { workerId: string }) => n.workerId === workerId);
  if (!node) throw new Error(`no quality row for ${workerId}: ${JSON.stringify(res.errors ?? res.data)}`);
  return node;
}

async function goldPool(app: TestApp, dataset: PublishedDataset): Promise<Record<string, unknown>> {
  const res = await gql(app, {
    query:
      'query($d: ID!) { dataset(id: $d) { goldCapacity warnings goldPool { goldItems active exhausted exposureCap exposuresUsed exposuresLeft capacityPerWorker } } }',
    variables: { d: dataset.id },
    token: dataset.owner.token,
  });
  return res.data.dataset;
}

// Answers every item: gold with its gold label (or wrong on purpose), regular ones with `regular`.
function answers(
  a: AssignmentJson,
  dataset: PublishedDataset,
  options: { goldRight: boolean; regular: (itemId: string) => string },
): { itemId: string; label: string }[] {
  return a.items.map((item) => {
    const gold = dataset.goldLabelOf.get(item.id);
    if (gold === undefined) return { itemId: item.id, label: options.regular(item.id) };
    return { itemId: item.id, label: options.goldRight ? gold : gold === 'cat' ? 'dog' : 'cat' };
  });
}

async function status(app: TestApp, assignmentId: string): Promise<string> {
  const [row] = await app.dataSource.query('SELECT status FROM assignments WHERE id = $1', [assignmentId]);
  return row.status;
}

describe('quality control under attack', () => {
  const clock = new FakeClock();
  let app: TestApp;
  beforeAll(async () => {
    // The api role only: verdicts are published when the test says so, never by a job racing it.
    app = await startTestApp({
      role: 'api',
      clock,
      env: {
        SIGN_IN_RATE_LIMIT: '100000',
        VERDICT_MAX_DELAY_SECONDS: '3600',
        VERDICT_MIN_GOLD: '3',
        QUALITY_GAMING_BLOCK_GAP: '0.4',
      },
    });
  });
  afterAll(() => app.close());

  describe('draining the gold pool', () => {
    it('claim-and-release loops use the gold up: afterwards the worker gets nothing from the dataset, never an unchecked task', async () => {
      const dataset = await publishDataset(app, {
        items: 40,
        gold: 10,
        input: { itemsPerTask: 2, answersPerItem: 1, goldPerTask: 1, minGoldAccuracy: 1 },
      });
      const attacker = await signIn(app);
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) {
        const { assignment } = await claim(app, attacker.token, dataset.id);
        expect(assignment!.items.filter((item) => dataset.goldIds.has(item.id))).toHaveLength(1);
        for (const item of assignment!.items) seen.add(item.id);
        expect((await release(app, attacker.token, assignment!.id)).data.releaseAssignment).toBe(true);
      }
      expect([...dataset.goldIds].every((id) => seen.has(id))).toBe(true);
      // 30 regular items are still open to them, but no gold they have not seen: nothing at all.
      const next = await claim(app, attacker.token, dataset.id);
      expect(errorCode(next)).toBe('NOTHING_TO_CLAIM');
      expect(next.errors![0].extensions?.details).toEqual({ reason: 'NO_GOLD_LEFT' });
      // ... and the owner sees who did it.
      expect(await workerQuality(app, dataset, attacker.id)).toMatchObject({
        abandonedAssignments: 10,
        submittedAssignments: 0,
        releaseRate: 1,
      });
      // An honest newcomer is unaffected: gold is capped per worker, not drained for everyone.
      const honest = await signIn(app);
      const fresh = (await claim(app, honest.token, dataset.id)).assignment!;
      expect(fresh.items.filter((item) => dataset.goldIds.has(item.id))).toHaveLength(1);
    });

    it('an expired lease counts its gold as used, like a release', async () => {
      const dataset = await publishDataset(app, {
        items: 20,
        gold: 2,
        input: { itemsPerTask: 2, answersPerItem: 1, goldPerTask: 1, leaseSeconds: 30 },
      });
      const worker = await signIn(app);
      for (let i = 0; i < 2; i++) {
        expect((await claim(app, worker.token, dataset.id)).assignment).not.toBeNull();
        clock.advance(31);
      }
      const next = await claim(app, worker.token, dataset.id);
      expect(next.errors?.[0].extensions?.details).toEqual({ reason: 'NO_GOLD_LEFT' });
      expect(await workerQuality(app, dataset, worker.id)).toMatchObject({ abandonedAssignments: 2, releaseRate: 1 });
    });
  });

  describe('two or more wallets comparing what they got', () => {
    it('wallets claiming one after another do not get the same tasks (no fixed order to share)', async () => {
      // 60 tasks of 3 slots. In split order, wallets 1-3 would share task 1, 4-6 task 2, ...: 12
      // sharing pairs out of 66. Drawn at random, about 66/60 ≈ 1.1 pairs share one; 8 or more
      // would happen with probability below 1e-4.
      const dataset = await publishDataset(app, {
        items: 120,
        gold: 60,
        input: { itemsPerTask: 2, answersPerItem: 3, goldPerTask: 1 },
      });
      const wallets = await Promise.all(Array.from({ length: 12 }, () => signIn(app)));
      const regularSets: string[][] = [];
      for (const w of wallets) {
        const { assignment } = await claim(app, w.token, dataset.id);
        regularSets.push(
          assignment!.items
            .filter((i) => !dataset.goldIds.has(i.id))
            .map((i) => i.id)
            .sort(),
        );
      }
      let sharing = 0;
      for (let a = 0; a < regularSets.length; a++)
        for (let b = a + 1; b < regularSets.length; b++) if (regularSets[a].join() === regularSets[b].join()) sharing++;
      expect(sharing).toBeLessThan(8);
    });

    it('draws the first gold item of a worker uniformly, whatever the gaps between gold ids', async () => {
      // 3 gold items, 30 wallets claiming once: each item comes first to some wallet (a uniform draw
      // misses one with probability 3 × (2/3)^30 ≈ 1.6e-5; taking the first id after a random point
      // starved an item that sits right after another one).
      const dataset = await publishDataset(app, {
        items: 60,
        gold: 3,
        input: { itemsPerTask: 2, answersPerItem: 1, goldPerTask: 1, goldExposureCap: 30 },
      });
      const firstGold = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const { assignment } = await claim(app, (await signIn(app)).token, dataset.id);
        for (const item of assignment!.items) if (dataset.goldIds.has(item.id)) firstGold.add(item.id);
      }
      expect(firstGold).toEqual(dataset.goldIds);
    });

    it('caps how many workers see one gold item, so counting appearances across wallets cannot single gold out', async () => {
      // 3 gold items shown to at most 1 worker each: five wallets could otherwise see one twice.
      const dataset = await publishDataset(app, {
        items: 20,
        gold: 3,
        input: { itemsPerTask: 2, answersPerItem: 1, goldPerTask: 1, goldExposureCap: 1 },
      });
      const shown = new Map<string, number>();
      const refusals: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        const wallet = await signIn(app);
        const res = await claim(app, wallet.token, dataset.id);
        if (!res.assignment) {
          refusals.push(res.errors?.[0].extensions?.details);
          continue;
        }
        for (const item of res.assignment.items)
          if (dataset.goldIds.has(item.id)) shown.set(item.id, (shown.get(item.id) ?? 0) + 1);
      }
      expect([...shown.values()].sort()).toEqual([1, 1, 1]);
      expect(refusals).toEqual([{ reason: 'NO_GOLD_LEFT' }, { reason: 'NO_GOLD_LEFT' }]);
      const pool = await goldPool(app, dataset);
      expect(pool.goldPool).toEqual({
        goldItems: 3,
        active: 0,
        exhausted: 3,
        exposureCap: 1,
        exposuresUsed: 3,
        exposuresLeft: 0,
        capacityPerWorker: 3,
      });
      // Three tasks per worker and three assignments in all, for ten tasks: the owner is told both.
      expect((pool.warnings as string[]).map((w) => w.split(':')[0])).toEqual([
        'GOLD_CAPACITY_LOW',
        'GOLD_EXPOSURE_LOW',
      ]);
    });
  });

  describe('reading verdicts as an oracle', () => {
    it('a submit answers SUBMITTED; one verdict covers several gold answers, so it never says which one was right', async () => {
      const dataset = await publishDataset(app, {
        items: 40,
        gold: 20,
        input: { itemsPerTask: 2, answersPerItem: 1, goldPerTask: 1, minGoldAccuracy: 0.8 },
      });
      const attacker = await signIn(app);
      const submitted: { id: string; goldRight: boolean }[] = [];
      for (const goldRight of [true, false, true]) {
        const { assignment } = await claim(app, attacker.token, dataset.id);
        const res = await submit(
          app,
          attacker.token,
          assignment!.id,
          answers(assignment!, dataset, { goldRight, regular: () => 'cat' }),
        );
        expect(res.assignment!.status).toBe('SUBMITTED');
        submitted.push({ id: assignment!.id, goldRight });
        // Nothing is decided on one or two gold answers (VERDICT_MIN_GOLD = 3).
        if (submitted.length < 3) expect(await publishVerdicts(app)).toBe(0);
      }
      const mine = await gql(app, {
        query: '{ myAssignments(first: 10) { totalCount edges { node { id status submittedAt verdictAt } } } }',
        token: attacker.token,
      });
      expect(
        mine.data.myAssignments.edges.map((e: { node: { status: string; verdictAt: string | null } }) => [
          e.node.status,
          e.node.verdictAt,
        ]),
      ).toEqual([
        ['SUBMITTED', null],
        ['SUBMITTED', null],
        ['SUBMITTED', null],
      ]);
      expect(await publishVerdicts(app)).toBe(1);
      // 2 of 3 right is under 0.8: all three are rejected together, the two right ones included.
      expect(await Promise.all(submitted.map((s) => status(app, s.id)))).toEqual(['REJECTED', 'REJECTED', 'REJECTED']);
      const decided = await gql(app, {
        query: '{ myAssignments(status: REJECTED) { totalCount edges { node { verdictAt } } } }',
        token: attacker.token,
      });
      expect(decided.data.myAssignments.totalCount).toBe(3);
      expect(
        decided.data.myAssignments.edges.every(
          (e: { node: { verdictAt: string | null } }) => e.node.verdictAt !== null,
        ),
      ).toBe(true);
    });

    it('with a lower bar the same record accepts all three, the wrong one included, and pays each once', async () => {
      const dataset = await publishDataset(app, {
        items: 40,
        gold: 20,
        input: { itemsPerTask: 2, answersPerItem: 1, goldPerTask: 1, minGoldAccuracy: 0.6, rewardPerAnswer: '1' },
      });
      const worker = await signIn(app);
      const ids: string[] = [];
      for (const goldRight of [true, false, true]) {
        const { assignment } = await claim(app, worker.token, dataset.id);
        await submit(
          app,
          worker.token,
          assignment!.id,
          answers(assignment!, dataset, { goldRight, regular: () => 'cat' }),
        );
        ids.push(assignment!.id);
      }
      await Promise.all([publishVerdicts(app), publishVerdicts(app), publishVerdicts(app)]);
      expect(await Promise.all(ids.map((id) => status(app, id)))).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED']);
      const [earned] = await app.dataSource.query(
        "SELECT count(*)::int AS n, sum(amount)::text AS total FROM ledger_entries WHERE account_id = $1 AND kind = 'EARNING'",
        [worker.id],
      );
      // 3 assignments x 3 answers x 1 token (10^18 base units).
      expect(earned).toEqual({ n: 3, total: (9n * 10n ** 18n).toString() });
    });

    it('a lone submission is still decided once it has waited VERDICT_MAX_DELAY_SECONDS', async () => {
      const dataset = await publishDataset(app, {
        items: 10,
        gold: 5,
        input: { itemsPerTask: 2, answersPerItem: 1, goldPerTask: 1, minGoldAccuracy: 0.5 },
      });
      const worker = await signIn(app);
      const { assignment } = await claim(app, worker.token, dataset.id);
      await submit(
        app,
        worker.token,
        assignment!.id,
        answers(assignment!, dataset, { goldRight: true, regular: () => 'cat' }),
      );
      expect(await publishVerdicts(app)).toBe(0);
      clock.advance(3599);
      expect(await publishVerdicts(app)).toBe(0);
      clock.advance(1);
      expect(await publishVerdicts(app)).toBe(1);
      expect(await status(app, assignment!.id)).toBe('ACCEPTED');
    });
  });

  describe('the owner labelling its own data', () => {
    it('refuses the owner and its API keys with OWN_DATASET, and skips its datasets in a dataset-less claim', async () => {
      const dataset = await publishDataset(app, { items: 10, gold: 0, input: { itemsPerTask: 2, answersPerItem: 1 } });
      expect(errorCode(await claim(app, dataset.owner.token, dataset.id))).toBe('OWN_DATASET');
      const key = (
        await gql(app, {
          query: 'mutation { createApiKey(name: "labeling script") { key } }',
          token: dataset.owner.token,
        })
      ).data.createApiKey.key;
      const viaKey = await gql(app, {
        query: 'mutation($d: ID) { claimTask(datasetId: $d) { id } }',
        variables: { d: dataset.id },
        apiKey: key,
      });
      expect(errorCode(viaKey)).toBe('OWN_DATASET');
      const anywhere = await gql(app, { query: 'mutation { claimTask { id datasetId } }', token: dataset.owner.token });
      expect(anywhere.data.claimTask?.datasetId).not.toBe(dataset.id);
    });
  });

  describe('knowing the gold (gold gaming)', () => {
    // Blocking is set at a gap of 0.4 here (default 0.5): a dozen gold answers are enough evidence.
    const classes = ['a', 'b', 'c', 'd'];
    // `items` regular items in tasks of 4, 5 answers each; every class as often.
    const gamedDataset = (items: number) =>
      publishDataset(app, {
        items,
        gold: 60,
        classes,
        truth: (i) => classes[i % 4],
        goldLabel: (i) => classes[(i + 1) % 4],
        input: { itemsPerTask: 4, answersPerItem: 5, goldPerTask: 1, aggregation: 'MAJORITY_VOTE' },
      });
    // Five strong workers, a weak one and one who knows every gold label, taking turns until the
    // dataset runs out; `hold` may keep one of the gamer's leases unsubmitted (the gamer then stops).
    async function gamingCrowd(dataset: PublishedDataset, hold: (gamerSubmitted: number) => boolean = () => false) {
      const random = seededRandom(9);
      const strong = await Promise.all([signIn(app), signIn(app), signIn(app), signIn(app), signIn(app)]);
      const weak = await signIn(app);
      const gamer = await signIn(app);
      // The weak worker is right half the time, on gold and regular items alike.
      const weakLabel = (right: string) =>
        random() < 0.5 ? right : classes[(classes.indexOf(right) + 1 + Math.floor(random() * 3)) % 4];
      const behaviour = new Map<SignedInUser, (a: AssignmentJson) => { itemId: string; label: string }[]>([
        ...strong.map(
          (w) =>
            [
              w,
              (a: AssignmentJson) =>
                a.items.map((i) => ({
                  itemId: i.id,
                  label: dataset.goldLabelOf.get(i.id) ?? dataset.truthOf.get(i.id)!,
                })),
            ] as const,
        ),
        [
          weak,
          (a) =>
            a.items.map((i) => ({
              itemId: i.id,
              label: weakLabel(dataset.goldLabelOf.get(i.id) ?? dataset.truthOf.get(i.id)!),
            })),
        ],
        // Knows every gold label; answers everything else with the first class.
        [gamer, (a) => a.items.map((i) => ({ itemId: i.id, label: dataset.goldLabelOf.get(i.id) ?? 'a' }))],
      ]);
      const active = new Set(behaviour.keys());
      let held: AssignmentJson | null = null;
      let gamerSubmitted = 0;
      while (active.size > 0) {
        for (const worker of [...active]) {
          const { assignment } = await claim(app, worker.token, dataset.id);
          if (!assignment) {
            active.delete(worker);
            continue;
          }
          if (worker === gamer && hold(gamerSubmitted)) {
            held = assignment;
            active.delete(worker);
            continue;
          }
          await submit(app, worker.token, assignment.id, behaviour.get(worker)!(assignment));
          if (worker === gamer) gamerSubmitted++;
          await publishVerdicts(app);
        }
      }
      // The consensus worker's full run, wired on the same database (this app runs the api role only).
      await consensusService(app.dataSource, app.config).aggregateDataset(dataset.id);
      return { strong, weak, gamer, held, answersOf: (a: AssignmentJson) => behaviour.get(gamer)!(a) };
    }

    it('flags and blocks a worker whose gold is far better than their regular work, not honest strong or weak workers', async () => {
      // 80 regular items: 100 assignments.
      const dataset = await gamedDataset(80);
      const { strong, weak, gamer } = await gamingCrowd(dataset);
      const gamerQuality = await workerQuality(app, dataset, gamer.id);
      expect(gamerQuality).toMatchObject({
        goldAccuracy: 1,
        goldGamingSuspected: true,
        blocked: true,
        blockReason: 'GOLD_GAMING',
      });
      // About the quarter of items whose truth is the class they always answer.
      expect(gamerQuality.regularAgreement as number).toBeLessThan(0.4);
      for (const honest of [...strong, weak]) {
        expect(await workerQuality(app, dataset, honest.id)).toMatchObject({
          goldGamingSuspected: false,
          blocked: false,
        });
      }
      const weakQuality = await workerQuality(app, dataset, weak.id);
      expect(weakQuality.goldAccuracy as number).toBeLessThan(0.8);
      // Blocked means no more of this dataset's tasks, whatever its state.
      expect(errorCode(await claim(app, gamer.token, dataset.id))).toBe('WORKER_BLOCKED_ON_DATASET');
    });

    it('rejects, unpaid, the work a gamer submits from a lease held when the block came, and a gold re-score does not accept it', async () => {
      // 120 regular items: 150 assignments, so the gamer can stop after 14 and hold a 15th.
      const dataset = await gamedDataset(120);
      const { gamer, held, answersOf } = await gamingCrowd(dataset, (submitted) => submitted === 14);
      expect(await workerQuality(app, dataset, gamer.id)).toMatchObject({ blocked: true, blockReason: 'GOLD_GAMING' });
      const earned = async () =>
        (
          await app.dataSource.query(
            `SELECT count(*)::int AS n FROM ledger_entries WHERE account_id = $1 AND dataset_id = $2 AND kind = 'EARNING'`,
            [gamer.id, dataset.id],
          )
        )[0].n as number;
      const paidBefore = await earned();
      expect(paidBefore).toBe(14);
      // Its answers are kept (every gold item right, as always), and the verdict rejects them.
      const res = await submit(app, gamer.token, held!.id, answersOf(held!));
      expect(res.assignment?.status).toBe('SUBMITTED');
      await publishVerdicts(app);
      const statusOf = async (id: string): Promise<string> =>
        (await app.dataSource.query('SELECT status FROM assignments WHERE id = $1', [id]))[0].status;
      expect(await statusOf(held!.id)).toBe('REJECTED');
      expect(await earned()).toBe(paidBefore);
      // Nor does a gold re-score accept it later: the gamer appeals, the reviewer retires the gold
      // item of that assignment, and the re-score of everyone who answered it runs.
      const gold = held!.items.find((i) => dataset.goldIds.has(i.id))!.id;
      const reviewer = await signInAs(app, [Role.REVIEWER]);
      const rescoreId = await appealRetiringGold(app, {
        workerToken: gamer.token,
        reviewerToken: reviewer.token,
        datasetId: dataset.id,
        assignmentId: held!.id,
        goldItemId: gold,
      });
      expect(await app.app.get(GoldRescoreService).run(rescoreId)).toMatchObject({ finished: true });
      expect(await statusOf(held!.id)).toBe('REJECTED');
      expect(await earned()).toBe(paidBefore);
      expect(await invariantViolations(app.dataSource, dataset.id)).toEqual({});
    });
  });
});
