import { Role } from '../../src/auth/role';
import type { ConsensusService } from '../../src/consensus/consensus.service';
import { GoldRescoreService } from '../../src/disputes/gold-rescore.service';
import { consensusService } from '../consensus/fixtures';
import { gql } from '../support/gql';
import { listCounts } from '../support/list-counts';
import { walkPages } from '../support/pages';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from '../tasks/invariants';
import { claim, expectCode, FakeClock, publishVerdicts, submit } from '../tasks/labeler';
import { publishDataset, type PublishedDataset } from '../quality/published-dataset';
import { appeal, claimCase, flag, listDisputes, myDisputes, readCase, resolve } from './reviewer';
import { earningsOf } from './wrong-gold';

// Every source of cases creates exactly one, and refuses what it must. Everything goes through
// GraphQL except the consensus runs, called as the consensus worker calls them.
describe('sources of disputes', () => {
  const clock = new FakeClock();
  let app: TestApp;
  let consensus: ConsensusService;
  let admin: SignedInUser;
  let reviewers: SignedInUser[];
  beforeAll(async () => {
    // A verdict window of one gold answer: each assignment is judged on its own gold, so the one
    // that carried the mislabelled gold item is rejected whatever order the worker saw gold in
    // (gold is handed out from a random point of the id order, so some orders are far likelier).
    app = await startTestApp({ role: 'api', clock, env: { SIGN_IN_RATE_LIMIT: '100000', VERDICT_WINDOW_GOLD: '1' } });
    consensus = consensusService(app.dataSource, app.config);
    admin = await signInAs(app, [Role.ADMIN]);
    reviewers = [await signInAs(app, [Role.REVIEWER]), await signInAs(app, [Role.REVIEWER])];
  });
  afterAll(() => app.close());

  const openCases = async (datasetId: string, kind: string): Promise<{ id: string; itemId: string | null }[]> =>
    (await listDisputes(app, admin.token, { d: datasetId, k: kind })).nodes.filter((n) => n.status !== 'RESOLVED');
  const progress = async (d: PublishedDataset) =>
    (
      await gql(app, {
        query: 'query($id: ID!) { dataset(id: $id) { status progress { labeledItems openDisputes } } }',
        variables: { id: d.id },
        token: d.owner.token,
      })
    ).data.dataset;

  describe('LOW_AGREEMENT and REQUESTER_FLAG', () => {
    let d: PublishedDataset;
    let byExternal: Map<string, string>;
    beforeAll(async () => {
      // Two answers an item, a target of 0.9, majority vote: a 1–1 split is LOW_AGREEMENT.
      d = await publishDataset(app, {
        items: 2,
        gold: 0,
        input: { itemsPerTask: 2, answersPerItem: 2, targetConfidence: 0.9, aggregation: 'MAJORITY_VOTE' },
      });
      const rows: { id: string; external_id: string }[] = await app.dataSource.query(
        'SELECT id, external_id FROM items WHERE dataset_id = $1',
        [d.id],
      );
      byExternal = new Map(rows.map((r) => [r.external_id, r.id]));
      for (const split of [
        { r0: 'cat', r1: 'cat' },
        { r0: 'dog', r1: 'cat' },
      ]) {
        const worker = await signIn(app);
        const { assignment } = await claim(app, worker.token, d.id);
        await submit(
          app,
          worker.token,
          assignment!.id,
          assignment!.items.map((i) => ({ itemId: i.id, label: i.id === byExternal.get('r0') ? split.r0 : split.r1 })),
        );
      }
      await publishVerdicts(app);
    });

    it('the consensus run that marks an item DISPUTED opens its one case; later runs open no other', async () => {
      expect(await consensus.aggregateItems(d.id)).toMatchObject({ labeled: 1, lowAgreement: 1 });
      const cases = await openCases(d.id, 'LOW_AGREEMENT');
      expect(cases).toEqual([expect.objectContaining({ itemId: byExternal.get('r0'), status: 'OPEN' })]);
      await consensus.aggregateDataset(d.id);
      await consensus.aggregateItems(d.id);
      expect(await openCases(d.id, 'LOW_AGREEMENT')).toEqual(cases);
      expect(await progress(d)).toEqual({ status: 'OPEN', progress: { labeledItems: 1, openDisputes: 1 } });
      expect(await invariantViolations(app.dataSource, d.id)).toEqual({});
    });

    it("the owner's flag opens one case on a labeled result and puts it in review; a second flag, another's flag or a labeler's is refused", async () => {
      const item = byExternal.get('r1')!;
      const other = await signInAs(app, [Role.REQUESTER]);
      expectCode(await flag(app, other.token, item), 'FORBIDDEN');
      expectCode(await flag(app, (await signIn(app)).token, item), 'FORBIDDEN');
      const flagged = await flag(app, d.owner.token, item);
      expect(flagged.data.flagItemResult).toMatchObject({
        kind: 'REQUESTER_FLAG',
        status: 'OPEN',
        itemId: item,
        reason: 'This label looks wrong',
      });
      expectCode(await flag(app, d.owner.token, item), 'ALREADY_DISPUTED');
      // An item already in review (its LOW_AGREEMENT case) takes no second case either.
      expectCode(await flag(app, d.owner.token, byExternal.get('r0')!), 'ALREADY_DISPUTED');
      expect(await openCases(d.id, 'REQUESTER_FLAG')).toEqual([expect.objectContaining({ itemId: item })]);
      expect(await progress(d)).toEqual({ status: 'OPEN', progress: { labeledItems: 0, openDisputes: 2 } });
      // Consensus leaves a flagged item alone.
      await consensus.aggregateDataset(d.id);
      expect((await app.dataSource.query('SELECT status FROM items WHERE id = $1', [item]))[0].status).toBe('DISPUTED');
      expect(await invariantViolations(app.dataSource, d.id)).toEqual({});
    });
  });

  describe('APPEAL and GOLD_CONTEST', () => {
    // 100 regular items, 10 a task; gold g0, g1, g2 all labelled "dog", but g0 shows a cat. Eight
    // honest workers do three tasks each (every gold item once) and answer the truth: the verdict
    // that covers g0 rejects their assignment (bar 0.6 over a window of one gold answer).
    let d: PublishedDataset;
    let g0: string;
    let workers: SignedInUser[];
    let rejected: { id: string; worker_id: string }[];
    beforeAll(async () => {
      d = await publishDataset(app, {
        items: 100,
        gold: 3,
        truth: (i) => (i % 2 ? 'dog' : 'cat'),
        goldLabel: () => 'dog',
        input: {
          itemsPerTask: 10,
          answersPerItem: 3,
          goldPerTask: 1,
          minGoldAccuracy: 0.6,
          goldExposureCap: 100,
          aggregation: 'MAJORITY_VOTE',
          appealWindowSeconds: 600,
          disputeReservePercent: 100,
        },
      });
      [{ id: g0 }] = await app.dataSource.query(`SELECT id FROM items WHERE dataset_id = $1 AND external_id = 'g0'`, [
        d.id,
      ]);
      workers = [];
      for (let w = 0; w < 8; w++) {
        const worker = await signIn(app);
        for (let n = 0; n < 3; n++) {
          const { assignment } = await claim(app, worker.token, d.id);
          await submit(
            app,
            worker.token,
            assignment!.id,
            assignment!.items.map((i) => ({
              itemId: i.id,
              label: i.id === g0 ? 'cat' : (d.goldLabelOf.get(i.id) ?? d.truthOf.get(i.id)!),
            })),
          );
          await publishVerdicts(app);
        }
        workers.push(worker);
      }
      rejected = await app.dataSource.query(
        `SELECT id, worker_id FROM assignments WHERE dataset_id = $1 AND status = 'REJECTED' AND $2 = ANY (gold_item_ids) ORDER BY id`,
        [d.id, g0],
      );
      expect(rejected.length).toBe(8);
    });

    it("a labeler appeals their own rejected assignment once, within the window; anyone else's reads as not found", async () => {
      const [first, second] = rejected;
      const owner = workers.find((w) => w.id === first.worker_id)!;
      const stranger = workers.find((w) => w.id !== first.worker_id)!;
      expectCode(await appeal(app, stranger.token, first.id), 'NOT_FOUND');
      const accepted: { id: string }[] = await app.dataSource.query(
        `SELECT id FROM assignments WHERE worker_id = $1 AND status = 'ACCEPTED' LIMIT 1`,
        [owner.id],
      );
      expectCode(await appeal(app, owner.token, accepted[0].id), 'CONFLICT');
      const made = await appeal(app, owner.token, first.id);
      expect(made.data.appealAssignment).toMatchObject({
        kind: 'APPEAL',
        status: 'OPEN',
        itemId: null,
        assignmentId: first.id,
      });
      expectCode(await appeal(app, owner.token, first.id), 'ALREADY_DISPUTED');
      expectCode(await appeal(app, owner.token, first.id, 'again, differently'), 'ALREADY_DISPUTED');
      // Reviewers never see whose work it is; the owner of the dataset and ADMIN do.
      expect(
        (await listDisputes(app, reviewers[0].token, { d: d.id, k: 'APPEAL' })).nodes.map((n) => n.assignmentId),
      ).toEqual([null]);
      expect(
        (await listDisputes(app, d.owner.token, { d: d.id, k: 'APPEAL' })).nodes.map((n) => n.assignmentId),
      ).toEqual([first.id]);
      // After the window nothing more can be appealed.
      clock.advance(600);
      const late = workers.find((w) => w.id === second.worker_id)!;
      expectCode(await appeal(app, late.token, second.id), 'APPEAL_WINDOW_CLOSED');
      clock.advance(-600);
      expect(await openCases(d.id, 'APPEAL')).toHaveLength(1);
      const mine = await myDisputes(app, owner.token);
      expect(mine.nodes).toEqual([expect.objectContaining({ kind: 'APPEAL', assignmentId: first.id, outcome: null })]);
      // Never a label: not the gold label, not the answers.
      expect(JSON.stringify(mine.data)).not.toMatch(/"(cat|dog)"/);
      expect(
        await listCounts(app, {
          query: (selection) => `{ myDisputes(first: 1) { ${selection} } }`,
          table: 'disputes',
          token: owner.token,
        }),
      ).toEqual({ withoutTotal: 0, totalTwice: 1, totals: [1, 1] });
    });

    it('a full run opens one GOLD_CONTEST for the gold item trusted workers keep missing; later runs merge into it', async () => {
      await consensus.aggregateDataset(d.id);
      const contests = await openCases(d.id, 'GOLD_CONTEST');
      expect(contests).toEqual([expect.objectContaining({ itemId: g0, status: 'OPEN' })]);
      expect((contests[0] as unknown as { reason: string }).reason).toMatch(
        /^8 of 8 trusted workers answered differently from the gold label/,
      );
      await consensus.aggregateDataset(d.id);
      expect(await openCases(d.id, 'GOLD_CONTEST')).toEqual(contests);
      expect(await invariantViolations(app.dataSource, d.id)).toEqual({});
    });

    it("pages the dataset's cases one at a time, each once, cursors to the microsecond", async () => {
      const pages = await walkPages(app, {
        query: `query($d: ID, $a: String) { disputes(datasetId: $d, first: 1, after: $a) {
          totalCount edges { cursor node { id } } pageInfo { endCursor hasNextPage } } }`,
        field: 'disputes',
        token: d.owner.token,
        table: 'disputes',
        variables: { d: d.id },
      });
      const walked = pages.flatMap((p) => p.edges.map((e) => e.node.id));
      expect(pages[0].totalCount).toBeGreaterThanOrEqual(2);
      expect(walked).toHaveLength(pages[0].totalCount);
      expect(new Set(walked).size).toBe(pages[0].totalCount);
      // The total reads every case of the dataset: only for a query that asks, once.
      expect(
        await listCounts(app, {
          query: (selection) => `query($d: ID) { disputes(datasetId: $d, first: 1) { ${selection} } }`,
          variables: { d: d.id },
          table: 'disputes',
          token: d.owner.token,
        }),
      ).toEqual({ withoutTotal: 0, totalTwice: 1, totals: [walked.length, walked.length] });
    });

    it('an appeal and a gold contest about the same assignment pay it once; the appeal shows the verdict already given and ends GOLD_CHANGED', async () => {
      const appealCase = (await claimCase(app, reviewers[0].token, d.id)).case!;
      const contestCase = (await claimCase(app, reviewers[1].token, d.id)).case!;
      expect([appealCase.dispute.kind, contestCase.dispute.kind]).toEqual(['APPEAL', 'GOLD_CONTEST']);
      // The contest is decided first: the gold is corrected, the re-score pays.
      const decided = await resolve(app, reviewers[1].token, contestCase.dispute.id, {
        gold: [{ itemId: g0, verdict: 'CORRECT', label: 'cat' }],
      });
      expect(decided.data.resolveDispute).toMatchObject({ outcome: 'GOLD_CHANGED', status: 'RESOLVED' });
      const [{ id: rescoreId }] = await app.dataSource.query('SELECT id FROM gold_rescores WHERE item_id = $1', [g0]);
      await app.app.get(GoldRescoreService).run(rescoreId);
      const appealed = rejected[0].id;
      expect((await app.dataSource.query('SELECT status FROM assignments WHERE id = $1', [appealed]))[0].status).toBe(
        'ACCEPTED',
      );
      expect((await earningsOf(app, d.id)).get(appealed)).toBe(1);
      // The appeal stays open for its own decision and shows what was decided about its gold.
      const reread = (await readCase(app, reviewers[0].token, appealCase.dispute.id)).case!;
      expect(reread.items).toEqual([
        expect.objectContaining({ itemId: g0, referenceLabel: 'cat', verdictGiven: 'CORRECT' }),
      ]);
      const upheld = await resolve(app, reviewers[0].token, appealCase.dispute.id, {
        uphold: true,
        gold: [{ itemId: g0, verdict: 'KEEP' }],
      });
      expect(upheld.data.resolveDispute).toMatchObject({ outcome: 'GOLD_CHANGED', status: 'RESOLVED' });
      expect((await earningsOf(app, d.id)).get(appealed)).toBe(1);
      for (const [, n] of await earningsOf(app, d.id)) expect(n).toBe(1);
      expect(await invariantViolations(app.dataSource, d.id)).toEqual({});
    });
  });
});
