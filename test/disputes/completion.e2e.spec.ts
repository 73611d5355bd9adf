import { Role } from '../../src/auth/role';
import type { ConsensusService } from '../../src/consensus/consensus.service';
import { ReserveReleaseService } from '../../src/disputes/reserve-release.service';
import { startTestChain, type TestChain } from '../chain/test-chain';
import { consensusService } from '../consensus/fixtures';
import { errorCode, gql } from '../support/gql';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from '../tasks/invariants';
import { claim, expectCode, FakeClock, publishVerdicts, submit } from '../tasks/labeler';
import { publishDataset, type PublishedDataset } from '../quality/published-dataset';
import { claimCase, resolve } from './reviewer';

const TOKEN = 10n ** 18n;
const DATASET = `query($id: ID!) { dataset(id: $id) { status budget committed spent disputeReserve progress { labeledItems openDisputes } } }`;

// A dataset with ambiguous items used to stay OPEN forever. Here two items split their labelers,
// go to review, are decided, and the dataset completes; the reviewers are paid in the normal
// payout batches; the dispute reserve runs out and is topped up; what is left of it becomes
// refundable only once the appeal window is over — all to the base unit.
//
// 4 items, 2 answers each at 0.5, target 0.9: labeling costs 4 tokens; the 10% reserve is 0.4.
// Review reward 0.3. Budget 10.
describe('a dataset with DISPUTED items', () => {
  const clock = new FakeClock();
  let chain: TestChain;
  let app: TestApp;
  let consensus: ConsensusService;
  let d: PublishedDataset;
  let reviewers: SignedInUser[];
  let admin: SignedInUser;
  const dataset = async () =>
    (await gql(app, { query: DATASET, variables: { id: d.id }, token: d.owner.token })).data.dataset;

  beforeAll(async () => {
    chain = await startTestChain();
    app = await startTestApp({
      role: 'api',
      clock,
      chain: chain.settings,
      env: { SIGN_IN_RATE_LIMIT: '100000', PAYOUT_HOLD_SECONDS: '0', PAYOUT_MIN_AMOUNT: '0.1' },
    });
    consensus = consensusService(app.dataSource, app.config);
    d = await publishDataset(app, {
      items: 4,
      gold: 0,
      credit: '10',
      input: {
        itemsPerTask: 1,
        answersPerItem: 2,
        targetConfidence: 0.9,
        aggregation: 'MAJORITY_VOTE',
        reviewReward: '0.3',
        appealWindowSeconds: 3600,
      },
    });
    const labels: Record<string, string>[] = [
      { r0: 'cat', r1: 'cat', r2: 'cat', r3: 'dog' },
      { r0: 'dog', r1: 'dog', r2: 'cat', r3: 'dog' },
    ];
    const external = new Map<string, string>(
      (await app.dataSource.query('SELECT id, external_id FROM items WHERE dataset_id = $1', [d.id])).map(
        (r: { id: string; external_id: string }) => [r.id, r.external_id],
      ),
    );
    for (const mine of labels) {
      const worker = await signIn(app);
      for (;;) {
        const { assignment } = await claim(app, worker.token, d.id);
        if (!assignment) break;
        await submit(
          app,
          worker.token,
          assignment.id,
          assignment.items.map((i) => ({ itemId: i.id, label: mine[external.get(i.id)!] })),
        );
      }
    }
    await publishVerdicts(app);
    reviewers = [await signInAs(app, [Role.REVIEWER]), await signInAs(app, [Role.REVIEWER])];
    admin = await signInAs(app, [Role.ADMIN]);
  });
  afterAll(async () => {
    await app.close();
    await chain.close();
  });

  it('stays OPEN while its items are in review, with every answer paid and the reserve committed', async () => {
    expect(await consensus.aggregateItems(d.id)).toMatchObject({ labeled: 2, lowAgreement: 2 });
    expect(await dataset()).toEqual({
      status: 'OPEN',
      budget: '10',
      committed: '0.4',
      spent: '4',
      disputeReserve: '0.4',
      progress: { labeledItems: 2, openDisputes: 2 },
    });
  });

  it('a resolution the reserve cannot pay is refused with INSUFFICIENT_BUDGET and changes nothing; topped up, it goes through', async () => {
    const first = (await claimCase(app, reviewers[0].token, d.id)).case!;
    clock.advance(30);
    expect(
      (await resolve(app, reviewers[0].token, first.dispute.id, { label: 'cat' })).data.resolveDispute,
    ).toMatchObject({ status: 'RESOLVED', outcome: 'LABEL_SET' });
    expect(await dataset()).toMatchObject({
      status: 'OPEN',
      committed: '0.1',
      spent: '4.3',
      disputeReserve: '0.1',
      progress: { labeledItems: 3, openDisputes: 1 },
    });

    const second = (await claimCase(app, reviewers[1].token, d.id)).case!;
    const refused = await resolve(app, reviewers[1].token, second.dispute.id, { label: 'dog' });
    expect(errorCode(refused)).toBe('INSUFFICIENT_BUDGET');
    expect(refused.errors![0].extensions!.details).toEqual({ required: '0.3', available: '0.1' });
    expect(refused.errors![0].message).toMatch(/dispute reserve of this dataset is exhausted/);
    expect(await dataset()).toMatchObject({
      status: 'OPEN',
      committed: '0.1',
      spent: '4.3',
      progress: { openDisputes: 1 },
    });
    expect(
      (await app.dataSource.query('SELECT status FROM items WHERE id = $1', [second.dispute.itemId]))[0].status,
    ).toBe('DISPUTED');

    // The owner moves budget into the reserve: 0.2 and three base units more than needed.
    expectCode(
      await gql(app, {
        query: 'mutation($id: ID!, $a: TokenAmount!) { topUpDisputeReserve(datasetId: $id, amount: $a) { id } }',
        variables: { id: d.id, a: '0.2' },
        token: reviewers[1].token,
      }),
      'FORBIDDEN',
    );
    const topped = await gql(app, {
      query:
        'mutation($id: ID!, $a: TokenAmount!) { topUpDisputeReserve(datasetId: $id, amount: $a) { disputeReserve committed } }',
      variables: { id: d.id, a: '0.200000000000000003' },
      token: d.owner.token,
    });
    expect(topped.data.topUpDisputeReserve).toEqual({
      disputeReserve: '0.300000000000000003',
      committed: '0.300000000000000003',
    });
    clock.advance(90);
    expect(
      (await resolve(app, reviewers[1].token, second.dispute.id, { label: 'dog' })).data.resolveDispute,
    ).toMatchObject({ status: 'RESOLVED' });
  });

  it('completes once its last dispute is resolved; the rest of the reserve is held until the appeal window is over, then released to the base unit', async () => {
    // spent = 8 answers × 0.5 + 2 review rewards × 0.3; three base units of reserve are left.
    expect(await dataset()).toEqual({
      status: 'COMPLETED',
      budget: '10',
      committed: '0.000000000000000003',
      spent: '4.6',
      disputeReserve: '0.000000000000000003',
      progress: { labeledItems: 4, openDisputes: 0 },
    });
    const releaser = app.app.get(ReserveReleaseService);
    expect(await releaser.releaseDue()).toBe(0);
    clock.advance(3600);
    expect(await releaser.releaseDue()).toBe(1);
    expect(await releaser.releaseDue()).toBe(0);
    const done = await dataset();
    expect(done).toMatchObject({ committed: '0', spent: '4.6', disputeReserve: '0' });
    // What is neither spent nor committed: 10 − 4.6 = 5.4 tokens, exactly.
    expect(10n * TOKEN - (46n * TOKEN) / 10n).toBe((54n * TOKEN) / 10n);
    const [funds] = await app.dataSource.query(
      'SELECT (budget - spent - committed)::text AS refundable FROM dataset_funds WHERE id = $1',
      [d.id],
    );
    expect(funds.refundable).toBe(((54n * TOKEN) / 10n).toString());
    expect(await invariantViolations(app.dataSource, d.id)).toEqual({});
  });

  it('pays the review rewards in the normal payout batches, named by their ledger entries, and keeps the reviewers’ record', async () => {
    const run = await gql(app, { query: 'mutation { runPayouts { recipients total manifest } }', token: admin.token });
    expect(run.errors).toBeUndefined();
    const recipients: { address: string; amount: string; assignments: string[] }[] = run.data.runPayouts.flatMap(
      (b: { manifest: { recipients: unknown[] } }) => b.manifest.recipients,
    );
    const entries: { id: string; account_id: string }[] = await app.dataSource.query(
      `SELECT id::text, account_id FROM ledger_entries WHERE dataset_id = $1 AND kind = 'REVIEW_REWARD' ORDER BY id`,
      [d.id],
    );
    expect(entries.map((e) => e.account_id).sort()).toEqual(reviewers.map((r) => r.id).sort());
    for (const r of reviewers) {
      const entry = entries.find((e) => e.account_id === r.id)!;
      expect(recipients.find((x) => x.address === r.address.toLowerCase())).toEqual({
        address: r.address.toLowerCase(),
        amount: ((3n * TOKEN) / 10n).toString(),
        assignments: [`entry:${entry.id}`],
        reversals: [],
      });
    }
    const stats = async (r: SignedInUser) =>
      (
        await gql(app, {
          query: '{ reviewerStats { resolved escalated overturned medianSecondsToResolve } }',
          token: r.token,
        })
      ).data.reviewerStats;
    // Each resolved one case: the median is that case's time from claim to resolution, at least
    // the 30 s and 90 s the clock was moved on while they held it.
    for (const [r, moved] of [
      [reviewers[0], 30],
      [reviewers[1], 90],
    ] as const) {
      const [{ seconds }] = await app.dataSource.query(
        'SELECT extract(epoch FROM resolved_at - leased_at)::float8 AS seconds FROM disputes WHERE resolved_by = $1',
        [r.id],
      );
      expect(seconds).toBeGreaterThanOrEqual(moved);
      expect(await stats(r)).toEqual({ resolved: 1, escalated: 0, overturned: 0, medianSecondsToResolve: seconds });
    }
  });
});
