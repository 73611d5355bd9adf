import { Client } from 'pg';
import { checkSubmission, submissionHash } from '../../src/tasks/answer-validation';
import { ClaimRepository, type ClaimOutcome } from '../../src/tasks/claim.repository';
import { ClaimService } from '../../src/tasks/claim.service';
import { SubmissionRepository, type SubmitParams } from '../../src/tasks/submission.repository';
import { SubmissionService } from '../../src/tasks/submission.service';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset, type DatasetFixture, type DatasetFixtureOptions } from '../support/fixtures';
import { holdAdvisoryLock, holdRows, lockWaitSeen } from '../support/interleave';
import { signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from './invariants';
import { FakeClock } from './labeler';

type Claimed = Extract<ClaimOutcome, { outcome: 'CLAIMED' }>;

// Claims and submits of one turn of the api's event loop go to PostgreSQL in one statement and one
// transaction (CallBatcher; claim_tasks / submit_assignments, migration ClaimsAndSubmitsInBatches).
// Each call in a batch must answer as it would alone, in turn; a batch waits for a lock a bounded
// time, and when it fails its calls run alone.
describe('claims and submits in one statement', () => {
  const clock = new FakeClock();
  let app: TestApp;
  let claims: ClaimRepository;
  let submissions: SubmissionRepository;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', clock, env: { SIGN_IN_RATE_LIMIT: '100000' } });
    claims = app.app.get(ClaimRepository);
    submissions = app.app.get(SubmissionRepository);
  });
  afterAll(() => app.close());

  async function openDataset(options: DatasetFixtureOptions = {}): Promise<DatasetFixture> {
    const fixture = await createOpenDataset(app.dataSource, {
      items: 40,
      itemsPerTask: 4,
      gold: 10,
      goldPerTask: 1,
      ...options,
    });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    return fixture;
  }
  const users = (n: number): Promise<SignedInUser[]> => Promise.all(Array.from({ length: n }, () => signIn(app)));
  const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : 1);
  const claimed = (outcome: ClaimOutcome): Claimed => {
    if (outcome.outcome !== 'CLAIMED') throw new Error(`expected a claim, got ${outcome.outcome}`);
    return outcome;
  };
  // Each of these labelers claims on the dataset, all in one batch.
  const leasesFor = async (people: SignedInUser[], fixture: DatasetFixture, now: Date): Promise<Claimed[]> =>
    (
      await claims.claimMany(
        app.dataSource,
        people.map((u) => ({ workerId: u.id, datasetId: fixture.datasetId, now })),
      )
    ).map(claimed);
  const assignments = (ids: string[]): Promise<Record<string, unknown>[]> =>
    app.dataSource.query(
      'SELECT id, worker_id, dataset_id, item_ids, expires_at, status, submission_hash, xmin::text AS xmin FROM assignments WHERE id = ANY($1::uuid[])',
      [ids],
    );

  function submitOf(user: SignedInUser, lease: Claimed, fixture: DatasetFixture, now = clock.now()): SubmitParams {
    const ids = lease.items.map((i) => i.id);
    const check = checkSubmission({
      itemIds: ids,
      answers: ids.map((id) => ({ itemId: id, label: fixture.goldLabels.get(id) ?? 'dog' })),
      schema: { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog', 'bird'] },
    });
    if (!check.ok) throw new Error(check.message);
    return {
      workerId: user.id,
      assignmentId: lease.id,
      answers: check.answers,
      hash: submissionHash(check.answers),
      now,
      verdictMinGold: app.config.verdictMinGold,
      verdictMaxDelaySeconds: app.config.verdictMaxDelaySeconds,
    };
  }

  it('gives each call of a batch its own worker, dataset and time, answered in the order asked', async () => {
    const datasets = [await openDataset({ leaseSeconds: 300 }), await openDataset({ leaseSeconds: 900 })];
    // Not in the order of their ids, which is the order the batch runs them in.
    const people = (await users(4)).sort(byId).reverse();
    const base = clock.now().getTime();
    const asked = people.map((u, i) => ({
      workerId: u.id,
      datasetId: datasets[i % 2].datasetId,
      now: new Date(base + i * 1000),
    }));
    const leases = (await claims.claimMany(app.dataSource, asked)).map(claimed);
    const rows = await assignments(leases.map((l) => l.id));
    asked.forEach((call, i) => {
      const row = rows.find((r) => r.id === leases[i].id);
      const leaseSeconds = i % 2 === 0 ? 300 : 900;
      expect(row).toMatchObject({ worker_id: call.workerId, dataset_id: call.datasetId });
      expect((row!.expires_at as Date).getTime()).toBe(call.now.getTime() + leaseSeconds * 1000);
      expect(leases[i].expiresAt.getTime()).toBe(call.now.getTime() + leaseSeconds * 1000);
      expect(leases[i].items.map((item) => item.id)).toEqual(row!.item_ids);
    });
    for (const d of datasets) expect(await invariantViolations(app.dataSource, d.datasetId)).toEqual({});
  });

  it('gives a worker claiming twice in one batch the lease the first claim took', async () => {
    const fixture = await openDataset();
    const [user] = await users(1);
    const now = clock.now();
    const [first, second] = await leasesFor([user, user], fixture, now);
    expect(second.id).toBe(first.id);
    const [{ n }] = await app.dataSource.query('SELECT count(*)::int AS n FROM assignments WHERE worker_id = $1', [
      user.id,
    ]);
    expect(n).toBe(1);
  });

  it('fails a batch that waits for a lock past its timeout, keeping nothing of it', async () => {
    const fixture = await openDataset();
    const [x, m] = (await users(2)).sort(byId);
    const [keys] = await app.dataSource.query('SELECT hashtext($1::text) AS worker, hashtext($2::text) AS dataset', [
      m.id,
      fixture.datasetId,
    ]);
    const held = await holdAdvisoryLock(app.config.databaseUrl, keys.worker, keys.dataset);
    try {
      const now = clock.now();
      await expect(
        claims.claimMany(
          app.dataSource,
          [x, m].map((u) => ({ workerId: u.id, datasetId: fixture.datasetId, now })),
        ),
      ).rejects.toMatchObject({ code: '55P03' });
      const [{ n }] = await app.dataSource.query('SELECT count(*)::int AS n FROM assignments WHERE dataset_id = $1', [
        fixture.datasetId,
      ]);
      expect(n).toBe(0);
    } finally {
      await held.release();
    }
  });

  it('fails a submit batch that waits for a lock past its timeout, keeping nothing of it', async () => {
    const fixture = await openDataset();
    const [x, m] = (await users(2)).sort(byId);
    const now = clock.now();
    const leases = await leasesFor([x, m], fixture, now);
    // m's stats row exists once m has submitted something; held here as a consensus run or a
    // verdict would hold it.
    await submissions.submit(submitOf(m, leases[1], fixture));
    const [again] = await leasesFor([m], fixture, now);
    const held = await holdRows(app.config.databaseUrl, 'SELECT 1 FROM worker_stats WHERE worker_id = $1', [m.id]);
    try {
      await expect(
        submissions.submitMany([submitOf(x, leases[0], fixture), submitOf(m, again, fixture)]),
      ).rejects.toMatchObject({ code: '55P03' });
      const rows = await assignments([leases[0].id, again.id]);
      expect(rows.map((r) => r.status)).toEqual(['ACTIVE', 'ACTIVE']);
    } finally {
      await held.release();
    }
  });

  it('runs the claims of a batch alone once it waited too long, and each still gets its lease', async () => {
    // y's lease ran out and nobody reaped it: y's next claim gives its slot back first, a write to
    // a task row held here. In a batch behind x's claim that wait could close a cycle (x's task is
    // held by the batch); the batch gives up within its lock timeout and the claims run alone.
    const fixture = await openDataset({ gold: 0, goldPerTask: 0, leaseSeconds: 60 });
    const [x, y] = (await users(2)).sort(byId);
    const service = app.app.get(ClaimService);
    const worker = (u: SignedInUser) => ({ id: u.id, roles: ['LABELER'] });
    const old = await service.claim({ worker: worker(y), datasetId: fixture.datasetId });
    clock.advance(120);
    const [{ task_id: oldTask }] = await app.dataSource.query('SELECT task_id FROM assignments WHERE id = $1', [
      old!.id,
    ]);
    const held = await holdRows(app.config.databaseUrl, 'SELECT id FROM tasks WHERE id = $1', [oldTask]);
    // Both in one turn of the event loop: one batch, x first.
    const both = Promise.all([x, y].map((u) => service.claim({ worker: worker(u), datasetId: fixture.datasetId })));
    // Only y's claim alone, after the batch gave up, can be seen waiting in the one-claim statement.
    await lockWaitSeen(app.config.databaseUrl, 'SELECT claim_task($1%', 20_000, 1);
    await held.release();
    const [forX, forY] = await both;
    expect(forX?.id).toBeDefined();
    expect(forY?.id).toBeDefined();
    expect(forY?.id).not.toBe(old!.id);
    const rows = await app.dataSource.query(
      `SELECT worker_id, status FROM assignments WHERE dataset_id = $1 ORDER BY created_at`,
      [fixture.datasetId],
    );
    expect(rows.filter((r: { worker_id: string }) => r.worker_id === x.id)).toHaveLength(1);
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
  });

  it('sends the claims and the submits of one turn each in one transaction, a late submit alone', async () => {
    const fixture = await openDataset({ leaseSeconds: 60 });
    const [early, late, warm, ...people] = await users(5);
    const claimService = app.app.get(ClaimService);
    const submitService = app.app.get(SubmissionService);
    const claimFor = (u: SignedInUser) =>
      claimService.claim({ worker: { id: u.id, roles: ['LABELER'] }, datasetId: fixture.datasetId });
    const answersTo = (view: Awaited<ReturnType<typeof claimFor>>) =>
      (view!.items as { id: string }[]).map((item) => ({
        itemId: item.id,
        label: fixture.goldLabels.get(item.id) ?? 'dog',
      }));
    const submitFor = (u: SignedInUser, view: Awaited<ReturnType<typeof claimFor>>) =>
      submitService.submit({ workerId: u.id, assignmentId: view!.id, answers: answersTo(view) });
    // The first submit on a dataset reads its label schema, once a process: a wait that would
    // part the submits below into two turns.
    const warmView = await claimFor(warm);
    await submitFor(warm, warmView);

    const views = await Promise.all([...people, early].map(claimFor));
    expect(new Set((await assignments(views.map((v) => v!.id))).map((r) => r.xmin)).size).toBe(1);
    await Promise.all(people.map((u, i) => submitFor(u, views[i])));
    const submitted = await assignments(people.map((_, i) => views[i]!.id));
    expect(submitted.map((r) => r.status)).toEqual(['SUBMITTED', 'SUBMITTED']);
    expect(new Set(submitted.map((r) => r.xmin)).size).toBe(1);

    // early's lease runs out while late's does not: early's submit goes alone, beside late's.
    clock.advance(50);
    const lateView = await claimFor(late);
    clock.advance(20);
    const outcomes = await Promise.allSettled([submitFor(early, views[2]), submitFor(late, lateView)]);
    expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: { code: 'LEASE_EXPIRED' } });
    expect(outcomes[1]).toMatchObject({ status: 'fulfilled' });
    const last = await assignments([views[2]!.id, lateView!.id]);
    expect(last.map((r) => r.status).sort()).toEqual(['EXPIRED', 'SUBMITTED']);
    expect(new Set(last.map((r) => r.xmin)).size).toBe(2);
  });

  it('stores each submit of a batch with its own answers, and answers a second submit of the same work as a replay', async () => {
    const fixture = await openDataset();
    const people = await users(3);
    const now = clock.now();
    const leases = await leasesFor(people, fixture, now);
    const submits = people.map((u, i) => submitOf(u, leases[i], fixture));
    const outcomes = await submissions.submitMany([...submits, submits[0]]);
    expect(outcomes.slice(0, 3).map((o) => o.outcome)).toEqual(['SUBMITTED', 'SUBMITTED', 'SUBMITTED']);
    expect(outcomes[3]).toMatchObject({ outcome: 'STATE', status: 'SUBMITTED', hash: submits[0].hash });
    const rows = await assignments(leases.map((l) => l.id));
    for (const [i, user] of people.entries())
      expect(rows.find((r) => r.worker_id === user.id)).toMatchObject({
        status: 'SUBMITTED',
        submission_hash: submits[i].hash,
      });
    // Each answer row belongs to the assignment whose answers named its item.
    const stored: { assignment_id: string; worker_id: string; item_id: string }[] = await app.dataSource.query(
      'SELECT assignment_id, worker_id, item_id FROM answers WHERE assignment_id = ANY($1::uuid[])',
      [leases.map((l) => l.id)],
    );
    expect(stored).toHaveLength(leases.reduce((n, l) => n + l.items.length, 0));
    for (const [i, lease] of leases.entries()) {
      const mine = stored.filter((a) => a.assignment_id === lease.id);
      expect(mine.map((a) => a.item_id).sort()).toEqual(lease.items.map((item) => item.id).sort());
      expect(new Set(mine.map((a) => a.worker_id))).toEqual(new Set([people[i].id]));
    }
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
  });

  it('stores free text exactly as given, and answers a call without answers by its state', async () => {
    const fixture = await openDataset({
      items: 8,
      gold: 0,
      goldPerTask: 0,
      labelSchema: { kind: 'FREE_TEXT' } as never,
    });
    const people = await users(2);
    const now = clock.now();
    const leases = await leasesFor(people, fixture, now);
    // Quotes, backslashes, braces, commas, NULL spelled out and non-ASCII: what an array literal
    // of jsonb must carry through unchanged.
    const text = (i: number): string => `he said "hi" \\ {a,b} NULL, ∑ ${i}`;
    const ids = leases[0].items.map((item) => item.id);
    const check = checkSubmission({
      itemIds: ids,
      answers: ids.map((id, i) => ({ itemId: id, label: text(i) })),
      schema: { kind: 'FREE_TEXT' } as never,
    });
    if (!check.ok) throw new Error(check.message);
    const settings = {
      now,
      verdictMinGold: app.config.verdictMinGold,
      verdictMaxDelaySeconds: app.config.verdictMaxDelaySeconds,
    };
    const [stored, live] = await submissions.submitMany([
      {
        ...settings,
        workerId: people[0].id,
        assignmentId: leases[0].id,
        answers: check.answers,
        hash: submissionHash(check.answers),
      },
      { ...settings, workerId: people[1].id, assignmentId: leases[1].id, answers: null, hash: null },
    ]);
    expect(stored.outcome).toBe('SUBMITTED');
    expect(live.outcome).toBe('LIVE');
    const rows: { item_id: string; value: unknown }[] = await app.dataSource.query(
      'SELECT item_id, value FROM answers WHERE assignment_id = $1',
      [leases[0].id],
    );
    expect(new Map(rows.map((r) => [r.item_id, r.value]))).toEqual(
      new Map(check.answers.map((a) => [a.itemId, a.value])),
    );
    expect(check.answers.map((a) => a.value)).toContain(text(0));
  });

  it('stores nothing of a batch in which one submit fails, so each can run again alone', async () => {
    const fixture = await openDataset();
    const people = await users(2);
    const now = clock.now();
    const leases = await leasesFor(people, fixture, now);
    const good = submitOf(people[0], leases[0], fixture);
    // Two answers to one item: the answers' key refuses the second in the database (the service
    // would have refused it before; here it stands for any failure of one call).
    const bad = submitOf(people[1], leases[1], fixture);
    bad.answers = [...(bad.answers ?? []), (bad.answers ?? [])[0]];
    await expect(submissions.submitMany([good, bad])).rejects.toMatchObject({ code: '23505' });
    const rows = await assignments(leases.map((l) => l.id));
    expect(rows.map((r) => r.status)).toEqual(['ACTIVE', 'ACTIVE']);
    expect((await submissions.submit(good)).outcome).toBe('SUBMITTED');
  });

  it('leaves no setting of a batch behind on its connection', async () => {
    const fixture = await openDataset();
    const [user] = await users(1);
    const client = new Client({ connectionString: app.config.databaseUrl });
    await client.connect();
    try {
      const show = async () =>
        (
          await client.query(
            `SELECT current_setting('lock_timeout') AS lock_timeout, current_setting('synchronous_commit') AS commit_mode,
                    current_setting('enable_sort') AS sort`,
          )
        ).rows[0];
      const before = await show();
      const { rows } = await client.query(
        'SELECT n, claim FROM claim_tasks($1::uuid[], $2::uuid[], $3::timestamptz[])',
        [[user.id], [fixture.datasetId], [clock.now()]],
      );
      expect(rows[0].claim.outcome).toBe('CLAIMED');
      expect(await show()).toEqual(before);
    } finally {
      await client.end();
    }
  });
});
