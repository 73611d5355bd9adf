import type { LabelSchema } from '../../src/datasets/dataset-status';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { consensusService } from '../consensus/fixtures';
import { createOpenDataset, type DatasetFixture, type DatasetFixtureOptions } from '../support/fixtures';
import { errorCode } from '../support/gql';
import { signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  answersFor,
  claim,
  publishVerdicts,
  release,
  submit,
  submitAndNext,
  submitAndSettle,
  type AssignmentJson,
} from './labeler';

const HOLD_SECONDS = 3600;

describe('submitAssignment', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      role: 'api',
      env: { SIGN_IN_RATE_LIMIT: '100000', PAYOUT_HOLD_SECONDS: String(HOLD_SECONDS) },
    });
  });
  afterAll(() => app.close());

  async function claimed(
    options: DatasetFixtureOptions = {},
  ): Promise<{ fixture: DatasetFixture; user: SignedInUser; assignment: AssignmentJson }> {
    const fixture = await createOpenDataset(app.dataSource, { items: 10, itemsPerTask: 5, ...options });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    const user = await signIn(app);
    const { assignment } = await claim(app, user.token, fixture.datasetId);
    return { fixture, user, assignment: assignment! };
  }

  const one = async <T>(sql: string, params: unknown[]): Promise<T> => (await app.dataSource.query(sql, params))[0];

  // What a submission left behind. Verdict requests and consensus jobs are told apart: only the
  // verdict may queue consensus.
  async function footprint(assignmentId: string, datasetId: string) {
    const jobs = async (name: string) =>
      (
        await one<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox WHERE payload->>'datasetId' = $1 AND job_name = $2`,
          [datasetId, name],
        )
      ).n;
    return {
      answers: (
        await one<{ n: number }>('SELECT count(*)::int AS n FROM answers WHERE assignment_id = $1', [assignmentId])
      ).n,
      earnings: (
        await one<{ n: number }>('SELECT count(*)::int AS n FROM ledger_entries WHERE assignment_id = $1', [
          assignmentId,
        ])
      ).n,
      verdictRequests: await jobs('tasks.decide-verdicts'),
      consensusJobs: await jobs('consensus.aggregate-items'),
      money: await one<{ committed: string; spent: string }>(
        'SELECT committed, spent FROM dataset_funds WHERE id = $1',
        [datasetId],
      ),
      stats: await one<{ answers: number; submitted: number; pending: number }>(
        'SELECT answers, submitted, pending FROM worker_stats WHERE dataset_id = $1',
        [datasetId],
      ),
    };
  }

  it('stores a complete submission as SUBMITTED, uncounted and unpaid; its ACCEPTED verdict then settles it in one go: answers, counters, money, earning', async () => {
    const { fixture, user, assignment } = await claimed({ gold: 3, goldPerTask: 1, minGoldAccuracy: 0.5 });
    const res = await submit(app, user.token, assignment.id, answersFor(assignment, fixture));
    expect(res.errors).toBeUndefined();
    expect(res.assignment).toMatchObject({ id: assignment.id, status: 'SUBMITTED' });
    // The answer shows the same items, in the same order, as the claim did.
    expect(res.assignment!.items).toEqual(assignment.items);
    const taskOf =
      'SELECT accepted_count, open_slots FROM tasks WHERE id = (SELECT task_id FROM assignments WHERE id = $1)';
    const regularItems = `SELECT answer_count, status FROM items WHERE id = ANY($1::uuid[]) AND NOT is_gold`;
    const itemIds = assignment.items.map((i) => i.id);
    const price = fixture.rewardPerAnswer * 6n;

    // Before the verdict: the answers and the number of gold items shown are stored (gold is
    // scored by the verdict), nothing is counted or paid, and the slot stays taken.
    const stored = await app.dataSource.query(
      'SELECT item_id, value, is_gold, accepted FROM answers WHERE assignment_id = $1',
      [assignment.id],
    );
    expect(stored).toHaveLength(6);
    expect(stored.filter((a: { is_gold: boolean }) => a.is_gold)).toHaveLength(1);
    expect(stored.some((a: { accepted: boolean }) => a.accepted)).toBe(false);
    expect(
      await one('SELECT status, gold_correct, gold_total, verdict_at FROM assignments WHERE id = $1', [assignment.id]),
    ).toEqual({ status: 'SUBMITTED', gold_correct: null, gold_total: 1, verdict_at: null });
    expect(await app.dataSource.query(regularItems, [itemIds])).toEqual(
      Array(5).fill({ answer_count: 0, status: 'PENDING' }),
    );
    expect(await one('SELECT committed, spent FROM dataset_funds WHERE id = $1', [fixture.datasetId])).toEqual({
      committed: fixture.committed.toString(),
      spent: '0',
    });
    expect(await footprint(assignment.id, fixture.datasetId)).toMatchObject({
      earnings: 0,
      verdictRequests: 1,
      consensusJobs: 0,
    });
    expect(
      await one(
        'SELECT answers, submitted, pending, pending_gold, gold_seen, gold_correct, blocked FROM worker_stats WHERE worker_id = $1',
        [user.id],
      ),
    ).toEqual({ answers: 6, submitted: 1, pending: 1, pending_gold: 1, gold_seen: 0, gold_correct: 0, blocked: false });
    expect(await one(taskOf, [assignment.id])).toEqual({ accepted_count: 0, open_slots: 2 });

    // The verdict: everything the acceptance moves, at once.
    expect(await publishVerdicts(app)).toBe(1);
    const decided = await one<{ status: string; submitted_at: Date; verdict_at: Date; gold_correct: number }>(
      'SELECT status, submitted_at, verdict_at, gold_correct FROM assignments WHERE id = $1',
      [assignment.id],
    );
    expect(decided).toMatchObject({ status: 'ACCEPTED', gold_correct: 1 });
    expect(decided.verdict_at.getTime()).toBeGreaterThanOrEqual(decided.submitted_at.getTime());
    expect(
      (await app.dataSource.query('SELECT accepted FROM answers WHERE assignment_id = $1', [assignment.id])).every(
        (a: { accepted: boolean }) => a.accepted,
      ),
    ).toBe(true);
    expect(await app.dataSource.query(regularItems, [itemIds])).toEqual(
      Array(5).fill({ answer_count: 1, status: 'IN_PROGRESS' }),
    );
    const money = await one<{ committed: string; spent: string }>(
      'SELECT committed, spent FROM dataset_funds WHERE id = $1',
      [fixture.datasetId],
    );
    expect(BigInt(money.spent)).toBe(price);
    expect(BigInt(money.committed)).toBe(fixture.committed - price);
    const earning = await one<{ amount: string; kind: string; account_id: string; available_at: Date }>(
      'SELECT amount, kind, account_id, available_at FROM ledger_entries WHERE assignment_id = $1',
      [assignment.id],
    );
    expect(earning).toMatchObject({ amount: price.toString(), kind: 'EARNING', account_id: user.id });
    // Payable exactly PAYOUT_HOLD_SECONDS after the verdict that accepted it: both times come from
    // the verdict's one clock reading (not a tolerance around the database's now()).
    expect(earning.available_at.getTime() - decided.verdict_at.getTime()).toBe(HOLD_SECONDS * 1000);
    expect(
      await one(
        'SELECT answers, submitted, pending, pending_gold, gold_seen, gold_correct, recent_gold, blocked FROM worker_stats WHERE worker_id = $1',
        [user.id],
      ),
    ).toEqual({
      answers: 6,
      submitted: 1,
      pending: 0,
      pending_gold: 0,
      gold_seen: 1,
      gold_correct: 1,
      recent_gold: [true],
      blocked: false,
    });
    expect(await one(taskOf, [assignment.id])).toEqual({ accepted_count: 1, open_slots: 2 });
  });

  it('labels items that reach their answers and queues consensus through the outbox with the verdict, once per assignment', async () => {
    const { fixture, user, assignment } = await claimed({ answersPerItem: 1 });
    const itemStatuses = async () =>
      app.dataSource.query('SELECT DISTINCT status FROM items WHERE id = ANY($1::uuid[])', [
        assignment.items.map((i) => i.id),
      ]);
    const consensusJobs = async () =>
      app.dataSource.query(
        `SELECT job_name, job_id, payload FROM outbox WHERE payload->>'datasetId' = $1 AND job_name = 'consensus.aggregate-items'`,
        [fixture.datasetId],
      );
    await submit(app, user.token, assignment.id, answersFor(assignment, fixture));
    expect(await itemStatuses()).toEqual([{ status: 'PENDING' }]);
    expect(await consensusJobs()).toEqual([]);
    await publishVerdicts(app);
    // Publishing again decides nothing twice.
    expect(await publishVerdicts(app)).toBe(0);
    expect(await itemStatuses()).toEqual([{ status: 'LABELED' }]);
    expect(await consensusJobs()).toEqual([
      {
        job_name: 'consensus.aggregate-items',
        job_id: `agg:${fixture.datasetId}:${assignment.id}`,
        payload: { datasetId: fixture.datasetId },
      },
    ]);
  });

  // Free text at fixed overlap: no item can be tied, so the last accepting verdict settles the
  // dataset. (Single choice waits for consensus, which may send a tied item to review: below.)
  it('completes the dataset when its last task gets its last accepted assignment, and frees the rest of the commitment', async () => {
    const { fixture, user, assignment } = await claimed({
      items: 10,
      answersPerItem: 1,
      labelSchema: { kind: 'FREE_TEXT' } as LabelSchema,
    });
    expect((await submitAndSettle(app, user.token, assignment.id, answersFor(assignment, fixture))).verdict).toBe(
      'ACCEPTED',
    );
    const datasetStatus = async () =>
      (await one<{ status: string }>('SELECT status FROM datasets WHERE id = $1', [fixture.datasetId])).status;
    expect(await datasetStatus()).toBe('OPEN');
    const other = await signIn(app);
    const second = (await claim(app, other.token, fixture.datasetId)).assignment!;
    await submit(app, other.token, second.id, answersFor(second, fixture));
    // Every task's slot is submitted, none of the last one accepted yet: not done.
    expect(await datasetStatus()).toBe('OPEN');
    await publishVerdicts(app);
    expect(
      await one(
        'SELECT d.status, f.committed, f.spent FROM datasets d JOIN dataset_funds f USING (id) WHERE d.id = $1',
        [fixture.datasetId],
      ),
    ).toEqual({ status: 'COMPLETED', committed: '0', spent: (fixture.rewardPerAnswer * 10n).toString() });
  });

  it('leaves a single-choice dataset to consensus: its last verdict does not complete it, the consensus run does', async () => {
    const { fixture, user, assignment } = await claimed({ items: 5, answersPerItem: 1 });
    expect((await submitAndSettle(app, user.token, assignment.id, answersFor(assignment, fixture))).verdict).toBe(
      'ACCEPTED',
    );
    const status = async () =>
      (await one<{ status: string }>('SELECT status FROM datasets WHERE id = $1', [fixture.datasetId])).status;
    expect(await status()).toBe('OPEN');
    expect(await consensusService(app.dataSource, app.config).aggregateItems(fixture.datasetId)).toMatchObject({
      labeled: 5,
      lowAgreement: 0,
    });
    expect(await status()).toBe('COMPLETED');
  });

  it('returns the same result to a retry and stores nothing twice, before and after the verdict', async () => {
    const { fixture, user, assignment } = await claimed({ answersPerItem: 1 });
    const answers = answersFor(assignment, fixture);
    const first = await submit(app, user.token, assignment.id, answers);
    expect(first.assignment?.status).toBe('SUBMITTED');
    const before = await footprint(assignment.id, fixture.datasetId);
    const again = await submit(app, user.token, assignment.id, [...answers].reverse());
    expect(again.errors).toBeUndefined();
    expect(again.assignment).toEqual(first.assignment);
    expect(await footprint(assignment.id, fixture.datasetId)).toEqual(before);
    // Once decided, a retry reads the verdict and still writes nothing.
    await publishVerdicts(app);
    const settled = await footprint(assignment.id, fixture.datasetId);
    expect(settled).toMatchObject({ earnings: 1, consensusJobs: 1 });
    const late = await submit(app, user.token, assignment.id, answers);
    expect(late.assignment).toEqual({ ...first.assignment, status: 'ACCEPTED' });
    expect(await footprint(assignment.id, fixture.datasetId)).toEqual(settled);
  });

  it('lets exactly one of many concurrent identical submissions do the work, and one of many concurrent verdict runs decide it', async () => {
    const { fixture, user, assignment } = await claimed({ answersPerItem: 1 });
    const answers = answersFor(assignment, fixture);
    const results = await Promise.all(Array.from({ length: 8 }, () => submit(app, user.token, assignment.id, answers)));
    expect(results.map((r) => r.assignment?.status)).toEqual(Array(8).fill('SUBMITTED'));
    expect(await footprint(assignment.id, fixture.datasetId)).toMatchObject({
      answers: 5,
      earnings: 0,
      verdictRequests: 1,
      consensusJobs: 0,
      stats: { answers: 5, submitted: 1, pending: 1 },
    });
    const decided = await Promise.all(Array.from({ length: 4 }, () => publishVerdicts(app)));
    expect(decided.reduce((a, b) => a + b, 0)).toBe(1);
    const after = await footprint(assignment.id, fixture.datasetId);
    expect(after).toMatchObject({
      answers: 5,
      earnings: 1,
      verdictRequests: 1,
      consensusJobs: 1,
      stats: { answers: 5, submitted: 1, pending: 0 },
    });
    expect(BigInt(after.money.spent)).toBe(fixture.rewardPerAnswer * 5n);
  });

  it('refuses different answers for an assignment already submitted', async () => {
    const { fixture, user, assignment } = await claimed();
    await submit(app, user.token, assignment.id, answersFor(assignment, fixture, { regular: 'dog' }));
    const res = await submit(app, user.token, assignment.id, answersFor(assignment, fixture, { regular: 'cat' }));
    expect(errorCode(res)).toBe('CONFLICT');
    expect((await footprint(assignment.id, fixture.datasetId)).answers).toBe(5);
  });

  it.each([
    ['a missing item', (a: AssignmentJson) => answersFor(a, fixtureOf(a)).slice(1)],
    [
      'a foreign item',
      (a: AssignmentJson) => [
        ...answersFor(a, fixtureOf(a)).slice(1),
        { itemId: '5d0c9a5e-2b4f-4c1e-9d43-000000000000', label: 'dog' },
      ],
    ],
    [
      'a duplicated item',
      (a: AssignmentJson) => {
        const x = answersFor(a, fixtureOf(a));
        return [...x.slice(1), x[1]];
      },
    ],
    [
      'an extra answer',
      (a: AssignmentJson) => {
        const x = answersFor(a, fixtureOf(a));
        return [...x, x[0]];
      },
    ],
  ])('refuses %s with INVALID_ANSWERS, says nothing about gold, stores nothing', async (_name, build) => {
    const { fixture, user, assignment } = await claimed({ gold: 5, goldPerTask: 2 });
    fixtures.set(assignment.id, fixture);
    const res = await submit(app, user.token, assignment.id, build(assignment));
    expect(errorCode(res)).toBe('INVALID_ANSWERS');
    expect(JSON.stringify(res.errors)).not.toMatch(/gold/i);
    expect((await footprint(assignment.id, fixture.datasetId)).answers).toBe(0);
    expect(
      (await one<{ status: string }>('SELECT status FROM assignments WHERE id = $1', [assignment.id])).status,
    ).toBe('ACTIVE');
  });
  const fixtures = new Map<string, DatasetFixture>();
  const fixtureOf = (a: AssignmentJson): DatasetFixture => fixtures.get(a.id)!;

  it.each([
    ['SINGLE_CHOICE', { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog'] }, 'cat', 'horse'],
    ['MULTI_CHOICE', { kind: 'MULTI_CHOICE', classes: ['red', 'blue'] }, ['red'], ['red', 'red']],
    ['FREE_TEXT', { kind: 'FREE_TEXT' }, 'a cat', 'x'.repeat(5000)],
    ['RATING', { kind: 'RATING', min: 1, max: 5 }, 3, 7],
  ])('refuses an invalid %s label with INVALID_LABEL', async (_kind, labelSchema, good, bad) => {
    const { user, assignment } = await claimed({ labelSchema: labelSchema as DatasetFixtureOptions['labelSchema'] });
    const answers = assignment.items.map((item, index) => ({ itemId: item.id, label: index === 2 ? bad : good }));
    expect(errorCode(await submit(app, user.token, assignment.id, answers))).toBe('INVALID_LABEL');
    const fixed = answers.map((a) => ({ ...a, label: good }));
    const settled = await submitAndSettle(app, user.token, assignment.id, fixed);
    expect([settled.assignment?.status, settled.verdict]).toEqual(['SUBMITTED', 'ACCEPTED']);
  });

  it('takes a submit on an api process that did not answer the claim (it reads the facts once) exactly like one on the process that did', async () => {
    const { fixture, user, assignment } = await claimed({ gold: 3, goldPerTask: 1, minGoldAccuracy: 0.5 });
    const other = await startTestApp({ shareWith: app });
    try {
      const answers = answersFor(assignment, fixture);
      const invalid = answers.map((a, i) => (i === 0 ? { ...a, label: 'horse' } : a));
      expect(errorCode(await submit(other, user.token, assignment.id, invalid))).toBe('INVALID_LABEL');
      const intruder = await signIn(other);
      expect(errorCode(await submit(other, intruder.token, assignment.id, answers))).toBe('NOT_FOUND');
      const stored = await submit(other, user.token, assignment.id, answers);
      expect(stored.assignment).toMatchObject({
        id: assignment.id,
        status: 'SUBMITTED',
        expiresAt: assignment.expiresAt,
      });
      expect(stored.assignment!.items).toEqual(assignment.items);
      // The retry reaches the process that answered the claim: the same stored result.
      const again = await submit(app, user.token, assignment.id, [...answers].reverse());
      expect(again.assignment).toEqual(stored.assignment);
      expect(errorCode(await submit(other, user.token, assignment.id, invalid))).toBe('CONFLICT');
    } finally {
      await other.close();
    }
    expect((await footprint(assignment.id, fixture.datasetId)).answers).toBe(6);
  });

  it("answers NOT_FOUND for another worker's assignment and for a malformed id", async () => {
    const { fixture, assignment } = await claimed();
    const intruder = await signIn(app);
    expect(errorCode(await submit(app, intruder.token, assignment.id, answersFor(assignment, fixture)))).toBe(
      'NOT_FOUND',
    );
    expect(errorCode(await submit(app, intruder.token, 'nope', []))).toBe('NOT_FOUND');
    expect(errorCode(await release(app, intruder.token, assignment.id))).toBe('NOT_FOUND');
  });

  it('accepts work in flight on a paused dataset, refuses it on a cancelled one', async () => {
    const paused = await claimed();
    await app.dataSource.query(`UPDATE datasets SET status = 'PAUSED' WHERE id = $1`, [paused.fixture.datasetId]);
    const settled = await submitAndSettle(
      app,
      paused.user.token,
      paused.assignment.id,
      answersFor(paused.assignment, paused.fixture),
    );
    expect([settled.assignment?.status, settled.verdict]).toEqual(['SUBMITTED', 'ACCEPTED']);
    const cancelled = await claimed();
    await app.dataSource.query(`UPDATE datasets SET status = 'CANCELLED' WHERE id = $1`, [cancelled.fixture.datasetId]);
    expect(
      errorCode(
        await submit(
          app,
          cancelled.user.token,
          cancelled.assignment.id,
          answersFor(cancelled.assignment, cancelled.fixture),
        ),
      ),
    ).toBe('DATASET_NOT_OPEN');
  });

  it('hands in a task and claims the next in one request, the claim after the submit; a refused hand-in claims nothing', async () => {
    const { fixture, user, assignment } = await claimed({ items: 20 });
    const other = await createOpenDataset(app.dataSource, { items: 10, itemsPerTask: 5 });
    await app.app.get(TaskSplitService).split(other.datasetId);

    const both = await submitAndNext(
      app,
      user.token,
      assignment.id,
      answersFor(assignment, fixture),
      fixture.datasetId,
    );
    expect(both.errors).toBeUndefined();
    expect(both.submitted?.status).toBe('SUBMITTED');
    // A new lease: a claim run before the submit would have answered the lease still held.
    expect(both.next?.status).toBe('ACTIVE');
    expect(both.next?.id).not.toBe(assignment.id);

    const refused = await submitAndNext(app, user.token, both.next!.id, [], other.datasetId);
    expect(errorCode(refused)).toBe('INVALID_ANSWERS');
    expect(refused.data).toBeNull();
    const leases: { n: number }[] = await app.dataSource.query(
      'SELECT count(*)::int AS n FROM assignments WHERE worker_id = $1 AND dataset_id = $2',
      [user.id, other.datasetId],
    );
    expect(leases[0].n).toBe(0);
  });

  it('answers a retried submit-and-next with the same submission and the lease it already took, storing nothing twice', async () => {
    const { fixture, user, assignment } = await claimed({ items: 20 });
    const answers = answersFor(assignment, fixture);
    const first = await submitAndNext(app, user.token, assignment.id, answers, fixture.datasetId);
    // A next lease was taken, so the retry's comparison below is about a real lease.
    expect(first.next?.id).toEqual(expect.any(String));
    const before = await footprint(assignment.id, fixture.datasetId);
    const again = await submitAndNext(app, user.token, assignment.id, answers, fixture.datasetId);
    expect(again.errors).toBeUndefined();
    expect(again.submitted).toEqual(first.submitted);
    expect(again.next?.id).toBe(first.next?.id);
    expect(await footprint(assignment.id, fixture.datasetId)).toEqual(before);
  });

  it('refuses to submit a released assignment', async () => {
    const { fixture, user, assignment } = await claimed();
    await release(app, user.token, assignment.id);
    expect(errorCode(await submit(app, user.token, assignment.id, answersFor(assignment, fixture)))).toBe(
      'ASSIGNMENT_NOT_ACTIVE',
    );
  });
});
