import { Role } from '../../src/auth/role';
import type { ConsensusService } from '../../src/consensus/consensus.service';
import {
  acceptAssignment,
  consensusService,
  createConsensusDataset,
  createWorkers,
  type ConsensusFixture,
} from '../consensus/fixtures';
import { errorCode, gql } from '../support/gql';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { claim, expectCode, FakeClock, release } from '../tasks/labeler';
import { claimCase, escalate, flag, listDisputes, readCase, releaseCase, resolve } from './reviewer';

const LEASE_SECONDS = 300;

// The reviewer queue: leased like tasks, ordered by priority then age, one case per reviewer,
// escalation to ADMIN, conflict-of-interest rules, what a reviewer may see, and its metrics.
describe('the reviewer queue', () => {
  const clock = new FakeClock();
  let app: TestApp;
  let second: TestApp;
  let consensus: ConsensusService;
  let admin: SignedInUser;
  let owner: SignedInUser;
  const reviewer = (): Promise<SignedInUser> => signInAs(app, [Role.LABELER, Role.REVIEWER]);

  beforeAll(async () => {
    app = await startTestApp({
      role: 'api',
      clock,
      env: { SIGN_IN_RATE_LIMIT: '100000', DISPUTE_LEASE_SECONDS: String(LEASE_SECONDS) },
    });
    second = await startTestApp({ role: 'api', shareWith: app, clock });
    consensus = consensusService(app.dataSource, app.config);
    admin = await signInAs(app, [Role.ADMIN]);
    owner = await signInAs(app, [Role.LABELER, Role.REQUESTER, Role.REVIEWER]);
  });
  afterAll(async () => {
    await second.close();
    await app.close();
  });

  // A dataset of `owner` whose first item the two workers labelled "cat" (settled by consensus,
  // open to a requester flag), with room for one more answer.
  async function agreedItemDataset(workerIds: string[]): Promise<{ d: ConsensusFixture; itemId: string }> {
    const d = await createConsensusDataset(app.dataSource, {
      items: 2,
      itemsPerTask: 1,
      answersPerItem: 2,
      maxAnswersPerItem: 3,
      targetConfidence: 0.9,
      aggregation: 'MAJORITY_VOTE',
    });
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [d.datasetId, owner.id]);
    const itemId = d.tasks[0].itemIds[0];
    for (const workerId of workerIds)
      await acceptAssignment(app.dataSource, {
        datasetId: d.datasetId,
        workerId,
        taskId: d.tasks[0].id,
        answers: [[itemId, 'cat']],
      });
    await consensus.aggregateItems(d.datasetId);
    return { d, itemId };
  }

  // `items` items, each answered cat / cat / dog by three workers (the third answer from
  // `thirdAnswerer` when given): at the ceiling of 3 under a target of 0.9, each is a LOW_AGREEMENT
  // case. The dataset belongs to `owner`.
  async function disputedDataset(items: number, thirdAnswerer?: string): Promise<ConsensusFixture> {
    const d = await createConsensusDataset(app.dataSource, {
      items,
      itemsPerTask: 1,
      answersPerItem: 3,
      targetConfidence: 0.9,
      aggregation: 'MAJORITY_VOTE',
    });
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [d.datasetId, owner.id]);
    const workers = await createWorkers(app.dataSource, 2);
    for (const task of d.tasks) {
      for (const [workerId, label] of [
        [workers[0], 'cat'],
        [workers[1], 'cat'],
        [thirdAnswerer ?? (await createWorkers(app.dataSource, 1))[0], 'dog'],
      ]) {
        await acceptAssignment(app.dataSource, {
          datasetId: d.datasetId,
          workerId,
          taskId: task.id,
          answers: [[task.itemIds[0], label]],
        });
      }
    }
    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({ lowAgreement: items });
    return d;
  }

  it('hands each case to one reviewer when many claim at once through two api processes; an expired lease returns it', async () => {
    const d = await disputedDataset(10);
    const reviewers = await Promise.all(Array.from({ length: 12 }, () => reviewer()));
    const claims = await Promise.all(reviewers.map((r, i) => claimCase(i % 2 ? second : app, r.token, d.datasetId)));
    const got = claims.map((c) => c.case?.dispute.id ?? null);
    expect(got.filter(Boolean)).toHaveLength(10);
    expect(new Set(got.filter(Boolean)).size).toBe(10);
    expect(got.filter((g) => g === null)).toHaveLength(2);
    expect(claims.filter((c) => c.case).every((c) => c.case!.dispute.status === 'IN_REVIEW')).toBe(true);

    // One live lease per reviewer: asking again, even through the other process and twice at once, returns it.
    const holder = reviewers.findIndex((_, i) => got[i] !== null);
    const again = await Promise.all([
      claimCase(app, reviewers[holder].token),
      claimCase(second, reviewers[holder].token, d.datasetId),
    ]);
    expect(again.map((c) => c.case!.dispute.id)).toEqual([got[holder], got[holder]]);

    // The leases run out: the cases are back in the queue, claimed by whoever asks.
    clock.advance(LEASE_SECONDS);
    const waiting = reviewers.filter((_, i) => got[i] === null);
    const late = await claimCase(app, waiting[0].token, d.datasetId);
    expect(got).toContain(late.case!.dispute.id);
    const previousHolder = reviewers[got.indexOf(late.case!.dispute.id)];
    // Resolving without a live lease: the one whose case was taken over holds nothing; the one
    // whose lease merely ran out is told so.
    expectCode(await resolve(app, previousHolder.token, late.case!.dispute.id, { label: 'cat' }), 'DISPUTE_NOT_OPEN');
    const expired = reviewers.findIndex((r, i) => got[i] !== null && got[i] !== late.case!.dispute.id);
    expectCode(await resolve(app, reviewers[expired].token, got[expired]!, { label: 'cat' }), 'LEASE_EXPIRED');
    expectCode(await releaseCase(app, reviewers[expired].token, got[expired]!), 'LEASE_EXPIRED');
    expectCode(await readCase(app, reviewers[expired].token, got[expired]!), 'LEASE_EXPIRED');
    // The new holder decides it.
    expect(
      (await resolve(app, waiting[0].token, late.case!.dispute.id, { label: 'cat' })).data.resolveDispute,
    ).toMatchObject({ status: 'RESOLVED', outcome: 'LABEL_SET' });
    expectCode(await resolve(app, waiting[0].token, late.case!.dispute.id, { label: 'dog' }), 'DISPUTE_NOT_OPEN');
    clock.advance(-LEASE_SECONDS);
  });

  // Runs after the first test, whose cases are all held again once its clock is set back.
  it('serves priority first, then age: a LOW_AGREEMENT item before an older flag, the oldest first among equals', async () => {
    // Two items, one labeled (the other keeps the dataset open), and flagged by its owner.
    const flagged = await createConsensusDataset(app.dataSource, {
      items: 2,
      itemsPerTask: 1,
      answersPerItem: 2,
      maxAnswersPerItem: 3,
      targetConfidence: 0.9,
      aggregation: 'MAJORITY_VOTE',
    });
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [flagged.datasetId, owner.id]);
    for (const w of await createWorkers(app.dataSource, 2))
      await acceptAssignment(app.dataSource, {
        datasetId: flagged.datasetId,
        workerId: w,
        taskId: flagged.tasks[0].id,
        answers: [[flagged.tasks[0].itemIds[0], 'cat']],
      });
    await consensus.aggregateItems(flagged.datasetId);
    const flagCase = (await flag(app, owner.token, flagged.tasks[0].itemIds[0])).data.flagItemResult;
    const d = await disputedDataset(2);
    const [oldest, newest] = (await listDisputes(app, admin.token, { d: d.datasetId })).nodes.slice().reverse();
    const r = [await reviewer(), await reviewer(), await reviewer()];
    expect((await claimCase(app, r[0].token)).case!.dispute.id).toBe(oldest.id);
    expect((await claimCase(app, r[1].token)).case!.dispute.id).toBe(newest.id);
    expect((await claimCase(app, r[2].token)).case!.dispute.id).toBe(flagCase.id);
    for (const [i, id] of [
      [0, oldest.id],
      [1, newest.id],
      [2, flagCase.id],
    ] as const)
      await releaseCase(app, r[i].token, id);
  });

  it('escalation hands a case to the ADMIN-only queue; only an admin decides it', async () => {
    const d = await disputedDataset(1);
    const r = await reviewer();
    const held = (await claimCase(app, r.token, d.datasetId)).case!;
    expectCode(await escalate(app, r.token, held.dispute.id, ' '), 'BAD_USER_INPUT');
    expect((await escalate(app, r.token, held.dispute.id)).data.escalateDispute).toMatchObject({ status: 'ESCALATED' });
    expectCode(await resolve(app, r.token, held.dispute.id, { label: 'cat' }), 'DISPUTE_NOT_OPEN');
    expectCode(await escalate(app, r.token, held.dispute.id), 'DISPUTE_NOT_OPEN');
    // Other reviewers never get it; an admin's claim serves the escalated queue first.
    expect((await claimCase(app, (await reviewer()).token, d.datasetId)).case).toBeNull();
    const adminCase = (await claimCase(app, admin.token)).case!;
    expect(adminCase.dispute.id).toBe(held.dispute.id);
    expect((await resolve(app, admin.token, held.dispute.id, { label: 'dog' })).data.resolveDispute).toMatchObject({
      status: 'RESOLVED',
      outcome: 'LABEL_SET',
    });
    const stats = await gql(app, {
      query: 'query($r: ID) { reviewerStats(reviewerId: $r) { reviewerId resolved escalated overturned } }',
      variables: { r: r.id },
      token: admin.token,
    });
    expect(stats.data.reviewerStats).toEqual({ reviewerId: r.id, resolved: 0, escalated: 1, overturned: 0 });
    expectCode(
      await gql(app, {
        query: 'query($r: ID) { reviewerStats(reviewerId: $r) { resolved } }',
        variables: { r: admin.id },
        token: r.token,
      }),
      'FORBIDDEN',
    );
  });

  it('never gives a reviewer a case they are a party to: their dataset, an item they answered; an admin party may not decide it', async () => {
    const labelerReviewer = await reviewer();
    const d = await disputedDataset(1, labelerReviewer.id);
    // The owner (also a reviewer) asking for their dataset's cases is refused; without a dataset
    // they are simply not served it.
    expectCode(await claimCase(app, owner.token, d.datasetId), 'OWN_DATASET');
    expect((await claimCase(app, labelerReviewer.token, d.datasetId)).case).toBeNull();
    const [theCase] = (await listDisputes(app, admin.token, { d: d.datasetId })).nodes;
    expectCode(await readCase(app, labelerReviewer.token, theCase.id), 'DISPUTE_NOT_OPEN');
    expectCode(await resolve(app, labelerReviewer.token, theCase.id, { label: 'cat' }), 'DISPUTE_NOT_OPEN');
    // An admin who answered the item cannot decide it even once it is escalated.
    const adminLabeler = await signInAs(app, [Role.ADMIN, Role.LABELER]);
    const other = await createConsensusDataset(app.dataSource, {
      items: 1,
      itemsPerTask: 1,
      answersPerItem: 3,
      targetConfidence: 0.9,
      aggregation: 'MAJORITY_VOTE',
    });
    for (const [w, label] of [
      [(await createWorkers(app.dataSource, 1))[0], 'cat'],
      [(await createWorkers(app.dataSource, 1))[0], 'cat'],
      [adminLabeler.id, 'dog'],
    ]) {
      await acceptAssignment(app.dataSource, {
        datasetId: other.datasetId,
        workerId: w,
        taskId: other.tasks[0].id,
        answers: [[other.tasks[0].itemIds[0], label]],
      });
    }
    await consensus.aggregateItems(other.datasetId);
    const r = await reviewer();
    const held = (await claimCase(app, r.token, other.datasetId)).case!;
    await escalate(app, r.token, held.dispute.id);
    expectCode(await resolve(app, adminLabeler.token, held.dispute.id, { label: 'cat' }), 'FORBIDDEN');
    expect((await claimCase(app, adminLabeler.token, other.datasetId)).case).toBeNull();
  });

  it('refuses every reviewer operation to a labeler', async () => {
    const labeler = await signIn(app);
    const id = '00000000-0000-4000-8000-000000000000';
    for (const res of [
      await claimCase(app, labeler.token),
      await readCase(app, labeler.token, id),
      await resolve(app, labeler.token, id, { label: 'cat' }),
      await releaseCase(app, labeler.token, id),
      await escalate(app, labeler.token, id),
      await listDisputes(app, labeler.token),
      await gql(app, { query: '{ reviewerStats { resolved } }', token: labeler.token }),
    ])
      expect(errorCode(res)).toBe('FORBIDDEN');
  });

  it('shows a reviewer workers only as per-case pseudonyms, never an account id or address; what they saw is never given to them as a labeler', async () => {
    const workers = await Promise.all([signIn(app), signIn(app)]);
    const { d, itemId } = await agreedItemDataset(workers.map((w) => w.id));
    await flag(app, owner.token, itemId);
    const r = await reviewer();
    const held = await claimCase(app, r.token, d.datasetId);
    const seen = [
      held,
      await readCase(app, r.token, held.case!.dispute.id),
      await listDisputes(app, r.token, { d: d.datasetId }),
    ].map((x) => JSON.stringify(x.data).toLowerCase());
    for (const account of [...workers, owner]) {
      for (const text of seen) {
        expect(text).not.toContain(account.id);
        expect(text).not.toContain(account.address.toLowerCase());
      }
    }
    expect(held.case!.items[0].answers.map((a) => a.worker).sort()).toEqual(['W1', 'W2']);
    expect(held.case!.items[0]).toMatchObject({ itemId, gold: false, referenceLabel: 'cat', confidence: 1 });
    // The reviewer buys one more answer; the top-up task with that item never goes to them.
    expect((await resolve(app, r.token, held.case!.dispute.id, { requeue: true })).data.resolveDispute).toMatchObject({
      outcome: 'REQUEUED',
    });
    expect((await app.dataSource.query('SELECT status, answers_wanted FROM items WHERE id = $1', [itemId]))[0]).toEqual(
      { status: 'IN_PROGRESS', answers_wanted: 3 },
    );
    // Open now: the other item's task and the top-up. The reviewer is only ever given the former.
    const given = await claim(app, r.token, d.datasetId);
    expect(given.assignment!.items.map((i) => i.id)).not.toContain(itemId);
    await release(app, r.token, given.assignment!.id);
    expect((await claim(app, r.token, d.datasetId)).assignment).toBeNull();
    const fresh = await signIn(app);
    const first = (await claim(app, fresh.token, d.datasetId)).assignment!;
    if (!first.items.some((i) => i.id === itemId)) {
      await release(app, fresh.token, first.id);
      expect((await claim(app, fresh.token, d.datasetId)).assignment!.items.map((i) => i.id)).toEqual([itemId]);
    }
  });

  it("counts a reviewer's decision overturned when a later decision on the same item contradicts it", async () => {
    const { d, itemId } = await agreedItemDataset(await createWorkers(app.dataSource, 2));
    const [first, later, same] = [await reviewer(), await reviewer(), await reviewer()];
    const decide = async (r: SignedInUser, label: string) => {
      await flag(app, owner.token, itemId, 'Please check again');
      const held = (await claimCase(app, r.token, d.datasetId)).case!;
      expect((await resolve(app, r.token, held.dispute.id, { label })).data.resolveDispute).toMatchObject({
        outcome: 'LABEL_SET',
      });
    };
    await decide(first, 'dog');
    await decide(later, 'cat');
    await decide(same, 'cat');
    const overturned = async (r: SignedInUser) =>
      (await gql(app, { query: '{ reviewerStats { resolved overturned } }', token: r.token })).data.reviewerStats;
    expect(await overturned(first)).toEqual({ resolved: 1, overturned: 1 });
    // A later decision that agrees overturns nothing.
    expect(await overturned(later)).toEqual({ resolved: 1, overturned: 0 });
    expect(await overturned(same)).toEqual({ resolved: 1, overturned: 0 });
    expect(
      (await app.dataSource.query('SELECT label, method FROM item_results WHERE item_id = $1', [itemId]))[0],
    ).toEqual({ label: 'cat', method: 'REVIEW' });
  });

  it('exports the depth and age of each queue to /metrics', async () => {
    const before = await metrics();
    const d = await disputedDataset(2);
    clock.advance(120);
    const after = await metrics();
    expect(after.depth.REVIEWER).toBe(before.depth.REVIEWER + 2);
    expect(after.age.REVIEWER).toBeGreaterThanOrEqual(120);
    const r = await reviewer();
    const held = (await claimCase(app, r.token, d.datasetId)).case!;
    await escalate(app, r.token, held.dispute.id);
    const escalated = await metrics();
    expect([escalated.depth.REVIEWER, escalated.depth.ADMIN]).toEqual([
      after.depth.REVIEWER - 1,
      after.depth.ADMIN + 1,
    ]);
    clock.advance(-120);
  });

  async function metrics(): Promise<{ depth: Record<string, number>; age: Record<string, number> }> {
    const text: string = (await app.http.get('/metrics')).text;
    const read = (name: string): Record<string, number> =>
      Object.fromEntries(
        [...text.matchAll(new RegExp(`^${name}\\{queue="(\\w+)"\\} ([\\d.e+-]+)$`, 'gm'))].map((m) => [
          m[1],
          Number(m[2]),
        ]),
      );
    return { depth: read('labelchain_dispute_queue_depth'), age: read('labelchain_dispute_queue_oldest_age_seconds') };
  }
});
