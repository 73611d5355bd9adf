import { Role } from '../../src/auth/role';
import { movableClock } from '../payouts/payout-scenario';
import { VerdictService } from '../../src/tasks/verdict.service';
import { appealRetiringGold } from '../disputes/reviewer';
import { publishDataset, type PublishedDataset } from '../quality/published-dataset';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from './invariants';
import { claim, submit, type AssignmentJson } from './labeler';

// When a worker's pending batch asks for its verdict, with verdicts batched as in production
// (VERDICT_MIN_GOLD gold answers, or an hour): once, on the submit that makes it due; and again
// after gold retired while it waited left it short.
describe('verdict requests', () => {
  let app: TestApp;
  let reviewer: SignedInUser;
  beforeAll(async () => {
    app = await startTestApp({
      role: 'api',
      env: { SIGN_IN_RATE_LIMIT: '100000', VERDICT_MIN_GOLD: '3', VERDICT_MAX_DELAY_SECONDS: '3600' },
    });
    reviewer = await signInAs(app, [Role.REVIEWER]);
  });
  afterAll(() => app.close());

  // One gold item an assignment; gold labels are "dog", regular truth "cat".
  const dataset = (gold: number): Promise<PublishedDataset> =>
    publishDataset(app, {
      items: 10,
      gold,
      truth: () => 'cat',
      goldLabel: () => 'dog',
      input: {
        itemsPerTask: 1,
        answersPerItem: 2,
        goldPerTask: 1,
        minGoldAccuracy: 0.5,
        goldExposureCap: 100,
        reviewReward: '0.1',
        disputeReservePercent: 100,
      },
    });
  const work = async (
    d: PublishedDataset,
    user: SignedInUser,
    goldRight: boolean,
    via: TestApp = app,
  ): Promise<AssignmentJson> => {
    const { assignment } = await claim(via, user.token, d.id);
    const res = await submit(
      via,
      user.token,
      assignment!.id,
      assignment!.items.map((i) => ({ itemId: i.id, label: d.goldIds.has(i.id) && goldRight ? 'dog' : 'cat' })),
    );
    expect(res.assignment?.status).toBe('SUBMITTED');
    return assignment!;
  };
  const requests = async (user: SignedInUser): Promise<number> =>
    (
      await app.dataSource.query(
        `SELECT count(*)::int AS n FROM outbox WHERE job_name = 'tasks.decide-verdicts' AND payload->>'workerId' = $1`,
        [user.id],
      )
    )[0].n;
  // What the verdict job does with a request (on a worker process: `on`).
  const decide = (d: PublishedDataset, user: SignedInUser, on: TestApp = app) =>
    on.app.get(VerdictService).decide({ workerId: user.id, datasetId: d.id });
  const statuses = async (ids: string[]): Promise<string[]> =>
    (
      await app.dataSource.query('SELECT status FROM assignments WHERE id = ANY ($1::uuid[]) ORDER BY submitted_at', [
        ids,
      ])
    ).map((r: { status: string }) => r.status);
  const row = async (sql: string, params: unknown[]) => (await app.dataSource.query(sql, params))[0];

  it('asks once per batch: on the submit that brings it to VERDICT_MIN_GOLD, not on the submits after it', async () => {
    const d = await dataset(8);
    const user = await signIn(app);
    const seen: number[] = [];
    const batch: string[] = [];
    for (let n = 0; n < 4; n++) {
      batch.push((await work(d, user, true)).id);
      seen.push(await requests(user));
    }
    expect(seen).toEqual([0, 0, 1, 1]);
    expect(await decide(d, user)).toEqual({ verdict: 'ACCEPTED', assignments: 4 });
    expect(await statuses(batch)).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'ACCEPTED']);
    // The next batch starts from nothing and asks again on its third gold answer.
    for (let n = 0; n < 3; n++) {
      await work(d, user, true);
      seen.push(await requests(user));
    }
    expect(seen.slice(4)).toEqual([1, 1, 2]);
    expect(await decide(d, user)).toEqual({ verdict: 'ACCEPTED', assignments: 3 });
    expect(await invariantViolations(app.dataSource, d.id)).toEqual({});
  });

  it('scores gold when the verdict is decided: a gold item retired while the batch waited counts nowhere, and the batch asks again once it holds enough gold', async () => {
    const d = await dataset(4);
    const careless = await signIn(app);
    const honest = await signIn(app);
    // The careless worker answers every gold item wrong: a batch of three, rejected.
    const rejected: AssignmentJson[] = [];
    for (let n = 0; n < 3; n++) rejected.push(await work(d, careless, false));
    expect(await decide(d, careless)).toEqual({ verdict: 'REJECTED', assignments: 3 });
    // The honest one has two submissions waiting; one of their gold items was in a rejected one.
    const waiting = [await work(d, honest, true), await work(d, honest, true)];
    expect(await requests(honest)).toBe(0);
    const goldOf = (a: AssignmentJson) => a.items.find((i) => d.goldIds.has(i.id))!.id;
    const retired = waiting.map(goldOf).find((g) => rejected.some((r) => goldOf(r) === g))!;
    const appealed = rejected.find((r) => goldOf(r) === retired)!;

    // The careless worker appeals; the reviewer finds the gold item itself unfit and retires it.
    await appealRetiringGold(app, {
      workerToken: careless.token,
      reviewerToken: reviewer.token,
      datasetId: d.id,
      assignmentId: appealed.id,
      goldItemId: retired,
    });

    // The third submit brings the batch to three gold answers as shown and asks; decided on the
    // gold as it is now, the batch holds two, so it keeps waiting and counts two.
    waiting.push(await work(d, honest, true));
    expect(await requests(honest)).toBe(1);
    expect(await decide(d, honest)).toBeNull();
    expect(await statuses(waiting.map((a) => a.id))).toEqual(['SUBMITTED', 'SUBMITTED', 'SUBMITTED']);
    expect(
      await row('SELECT pending, pending_gold, gold_seen FROM worker_stats WHERE worker_id = $1', [honest.id]),
    ).toEqual({ pending: 3, pending_gold: 2, gold_seen: 0 });
    const withRetired = waiting.find((a) => goldOf(a) === retired)!;
    expect(await row('SELECT gold_correct, gold_total FROM assignments WHERE id = $1', [withRetired.id])).toEqual({
      gold_correct: null,
      gold_total: 0,
    });

    // The fourth brings it to three scorable gold answers: it asks again, and is decided.
    waiting.push(await work(d, honest, true));
    expect(await requests(honest)).toBe(2);
    expect(await decide(d, honest)).toEqual({ verdict: 'ACCEPTED', assignments: 4 });
    expect(
      await row('SELECT pending, pending_gold, gold_seen, gold_correct FROM worker_stats WHERE worker_id = $1', [
        honest.id,
      ]),
    ).toEqual({ pending: 0, pending_gold: 0, gold_seen: 3, gold_correct: 3 });
    expect(await row('SELECT gold_correct, gold_total FROM assignments WHERE id = $1', [withRetired.id])).toEqual({
      gold_correct: 0,
      gold_total: 0,
    });
    expect(await invariantViolations(app.dataSource, d.id)).toEqual({});
  });

  it('asks again on the next due submit when the verdict finds the batch not yet due (a worker process that wants more gold than the api)', async () => {
    const worker = await startTestApp({
      shareWith: app,
      env: { SIGN_IN_RATE_LIMIT: '100000', VERDICT_MIN_GOLD: '5', VERDICT_MAX_DELAY_SECONDS: '3600' },
    });
    try {
      const d = await dataset(8);
      const user = await signIn(app);
      const seen: number[] = [];
      for (let n = 0; n < 5; n++) {
        await work(d, user, true);
        seen.push(await requests(user));
        if (n < 4) expect(await decide(d, user, worker)).toBeNull();
      }
      expect(seen).toEqual([0, 0, 1, 2, 3]);
      expect(await decide(d, user, worker)).toEqual({ verdict: 'ACCEPTED', assignments: 5 });
      expect(await invariantViolations(app.dataSource, d.id)).toEqual({});
    } finally {
      await worker.close();
    }
  });

  it('asks again when its request has had no verdict for 30 seconds (lost with its queue)', async () => {
    const clock = movableClock();
    const api = await startTestApp({ shareWith: app, clock });
    try {
      const d = await dataset(8);
      const user = await signIn(api);
      for (let n = 0; n < 3; n++) await work(d, user, true, api);
      expect(await requests(user)).toBe(1);
      // The request is lost (the fault injected: its outbox row never reaches a queue).
      await app.dataSource.query(
        `DELETE FROM outbox WHERE job_name = 'tasks.decide-verdicts' AND payload->>'workerId' = $1`,
        [user.id],
      );
      await work(d, user, true, api);
      expect(await requests(user)).toBe(0);
      clock.advance(30);
      await work(d, user, true, api);
      expect(await requests(user)).toBe(1);
      expect(await decide(d, user)).toEqual({ verdict: 'ACCEPTED', assignments: 5 });
    } finally {
      await api.close();
    }
  });
});
