import { Role } from '../../src/auth/role';
import { GoldRescoreService } from '../../src/disputes/gold-rescore.service';
import { gql } from '../support/gql';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from '../tasks/invariants';
import { claim, publishVerdicts, submit, type AssignmentJson } from '../tasks/labeler';
import { publishDataset, type PublishedDataset } from '../quality/published-dataset';
import { appeal, appealRetiringGold, claimCase, resolve } from './reviewer';
import { earningsOf } from './wrong-gold';

const TOKEN = 10n ** 18n;

// What an appeal's decision does with the appealed assignment and the money: upheld with the gold
// kept (paid beyond the task's slots when its slot went to someone else, without joining the
// consensus), denied (nothing but the review reward), and a retired gold item.
describe('appeal outcomes', () => {
  let app: TestApp;
  let reviewer: SignedInUser;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '100000' } });
    reviewer = await signInAs(app, [Role.REVIEWER]);
  });
  afterAll(() => app.close());

  // 3 items, 1 answer each (one slot a task), one gold item per assignment, bar 1; gold labels
  // are "dog", regular truth "cat". The reserve is 100% of the labeling cost (3 tokens).
  const dataset = (): Promise<PublishedDataset> =>
    publishDataset(app, {
      items: 3,
      gold: 3,
      truth: () => 'cat',
      goldLabel: () => 'dog',
      input: {
        itemsPerTask: 1,
        answersPerItem: 1,
        goldPerTask: 1,
        minGoldAccuracy: 1,
        goldExposureCap: 100,
        reviewReward: '0.1',
        disputeReservePercent: 100,
      },
    });
  const work = async (d: PublishedDataset, user: SignedInUser, goldRight: boolean): Promise<AssignmentJson | null> => {
    const { assignment } = await claim(app, user.token, d.id);
    if (!assignment) return null;
    await submit(
      app,
      user.token,
      assignment.id,
      assignment.items.map((i) => ({ itemId: i.id, label: d.goldIds.has(i.id) ? (goldRight ? 'dog' : 'cat') : 'cat' })),
    );
    await publishVerdicts(app);
    return assignment;
  };
  const row = async (sql: string, params: unknown[]) => (await app.dataSource.query(sql, params))[0];
  const funds = async (id: string) => row('SELECT spent::text, committed::text FROM dataset_funds WHERE id = $1', [id]);

  it('upheld with the gold kept, after its slot went to someone else: paid from the reserve, its answers do not join the consensus; a denied appeal pays only the reviewer', async () => {
    const d = await dataset();
    const [a, denied, b] = [await signIn(app), await signIn(app), await signIn(app)];
    const rejected = (await work(d, a, false))!;
    const rejectedToo = (await work(d, denied, false))!;
    // Someone else fills every slot, those two rejected ones included.
    while (await work(d, b, true));
    const regular = rejected.items.find((i) => !d.goldIds.has(i.id))!.id;
    expect(await row('SELECT answer_count, status FROM items WHERE id = $1', [regular])).toEqual({
      answer_count: 1,
      status: 'LABELED',
    });
    const before = await funds(d.id);

    await appeal(app, a.token, rejected.id);
    await appeal(app, denied.token, rejectedToo.id);
    // Oldest first: the first appeal's case, then the second's.
    const decide = async (uphold: boolean) => {
      const c = (await claimCase(app, reviewer.token, d.id)).case!;
      return (
        await resolve(app, reviewer.token, c.dispute.id, {
          uphold,
          gold: c.items.map((i) => ({ itemId: i.itemId, verdict: 'KEEP' })),
        })
      ).data.resolveDispute;
    };
    expect(await decide(true)).toMatchObject({ outcome: 'APPEAL_UPHELD' });
    expect(await decide(false)).toMatchObject({ outcome: 'APPEAL_DENIED' });

    expect(
      await row('SELECT status, beyond_slots, late_accepted_at IS NOT NULL AS late FROM assignments WHERE id = $1', [
        rejected.id,
      ]),
    ).toEqual({ status: 'ACCEPTED', beyond_slots: true, late: true });
    expect(await row('SELECT status FROM assignments WHERE id = $1', [rejectedToo.id])).toEqual({ status: 'REJECTED' });
    // Paid once (its 2 answers at 0.5), its regular answer not counted: the item keeps its one answer.
    const earnings = await earningsOf(app, d.id);
    expect([earnings.get(rejected.id), earnings.get(rejectedToo.id)]).toEqual([1, undefined]);
    expect(await row('SELECT answer_count FROM items WHERE id = $1', [regular])).toEqual({ answer_count: 1 });
    expect(
      await row('SELECT bool_or(accepted) AS counted FROM answers WHERE assignment_id = $1', [rejected.id]),
    ).toEqual({ counted: false });
    // Spent grew by the acceptance and two review rewards, all out of the commitment (the reserve).
    const after = await funds(d.id);
    expect(BigInt(after.spent) - BigInt(before.spent)).toBe(TOKEN + 2n * (TOKEN / 10n));
    expect(BigInt(after.spent) + BigInt(after.committed)).toBe(BigInt(before.spent) + BigInt(before.committed));
    expect(await invariantViolations(app.dataSource, d.id)).toEqual({});
  });

  it('a retired gold item counts nowhere: the re-score accepts what it alone rejected, and it is never handed out again', async () => {
    const d = await dataset();
    const e = await signIn(app);
    const rejected = (await work(d, e, false))!;
    const gold = rejected.items.find((i) => d.goldIds.has(i.id))!.id;
    const rescoreId = await appealRetiringGold(app, {
      workerToken: e.token,
      reviewerToken: reviewer.token,
      datasetId: d.id,
      assignmentId: rejected.id,
      goldItemId: gold,
    });
    expect(await app.app.get(GoldRescoreService).run(rescoreId)).toMatchObject({ accepted: 1, finished: true });
    // Its slot was still open: taken back, counted, paid from the labeling commitment.
    expect(
      await row('SELECT status, beyond_slots, gold_correct, gold_total FROM assignments WHERE id = $1', [rejected.id]),
    ).toEqual({ status: 'ACCEPTED', beyond_slots: false, gold_correct: 0, gold_total: 0 });
    expect((await earningsOf(app, d.id)).get(rejected.id)).toBe(1);
    const pool = await gql(app, {
      query: 'query($id: ID!) { dataset(id: $id) { goldPool { retired active } } }',
      variables: { id: d.id },
      token: d.owner.token,
    });
    expect(pool.data.dataset.goldPool).toEqual({ retired: 1, active: 2 });
    // Fresh workers get the other gold items only.
    const shown: string[] = [];
    for (const user of [await signIn(app), await signIn(app)]) {
      const got = await work(d, user, true);
      if (got) shown.push(...got.items.map((i) => i.id));
    }
    expect(shown.length).toBeGreaterThan(0);
    expect(shown).not.toContain(gold);
    expect(await invariantViolations(app.dataSource, d.id)).toEqual({});
  });
});
