import { checkSubmission, submissionHash } from '../../src/tasks/answer-validation';
import { ClaimRepository, type ClaimOutcome } from '../../src/tasks/claim.repository';
import { SubmissionRepository, type SubmitParams } from '../../src/tasks/submission.repository';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset, type DatasetFixture } from '../support/fixtures';
import { holdAdvisoryLock, lockWaitSeen } from '../support/interleave';
import { signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from './invariants';

// Claims and submits of one turn of the api's event loop go to PostgreSQL in one statement
// (CallBatcher; ClaimRepository.claimMany, SubmissionRepository.submitMany). Each call in a batch
// must answer as it would alone, in turn.
describe('claims and submits in one statement', () => {
  let app: TestApp;
  let claims: ClaimRepository;
  let submissions: SubmissionRepository;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '100000' } });
    claims = app.app.get(ClaimRepository);
    submissions = app.app.get(SubmissionRepository);
  });
  afterAll(() => app.close());

  async function openDataset(): Promise<DatasetFixture> {
    const fixture = await createOpenDataset(app.dataSource, { items: 40, itemsPerTask: 4, gold: 10, goldPerTask: 1 });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    return fixture;
  }

  const claimed = (outcome: ClaimOutcome): Extract<ClaimOutcome, { outcome: 'CLAIMED' }> => {
    if (outcome.outcome !== 'CLAIMED') throw new Error(`expected a claim, got ${outcome.outcome}`);
    return outcome;
  };

  function submitOf(
    user: SignedInUser,
    lease: Extract<ClaimOutcome, { outcome: 'CLAIMED' }>,
    fixture: DatasetFixture,
  ): SubmitParams {
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
      now: new Date(),
      verdictMinGold: app.config.verdictMinGold,
      verdictMaxDelaySeconds: app.config.verdictMaxDelaySeconds,
    };
  }

  it('gives each worker of a batch their own lease, answered in the order asked', async () => {
    const fixture = await openDataset();
    const users = await Promise.all([1, 2, 3, 4].map(() => signIn(app)));
    // Not in the order of their ids, which is the order the statement runs them in.
    users.sort((a, b) => (a.id < b.id ? 1 : -1));
    const now = new Date();
    const outcomes = await claims.claimMany(
      app.dataSource,
      users.map((u) => ({ workerId: u.id, datasetId: fixture.datasetId, now })),
    );
    const leases = outcomes.map(claimed);
    const rows: { id: string; worker_id: string; item_ids: string[] }[] = await app.dataSource.query(
      `SELECT id, worker_id, item_ids FROM assignments WHERE dataset_id = $1 AND status = 'ACTIVE'`,
      [fixture.datasetId],
    );
    expect(rows).toHaveLength(4);
    users.forEach((user, i) => {
      const row = rows.find((r) => r.id === leases[i].id);
      expect(row?.worker_id).toBe(user.id);
      expect(leases[i].items.map((item) => item.id)).toEqual(row?.item_ids);
    });
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
  });

  it('gives a worker claiming twice in one batch the lease the first claim took', async () => {
    const fixture = await openDataset();
    const user = await signIn(app);
    const now = new Date();
    const [first, second] = (
      await claims.claimMany(
        app.dataSource,
        [1, 2].map(() => ({ workerId: user.id, datasetId: fixture.datasetId, now })),
      )
    ).map(claimed);
    expect(second.id).toBe(first.id);
    const [{ n }] = await app.dataSource.query('SELECT count(*)::int AS n FROM assignments WHERE worker_id = $1', [
      user.id,
    ]);
    expect(n).toBe(1);
  });

  it('takes the workers of two batches in one order, so batches given opposite orders do not deadlock', async () => {
    const fixture = await openDataset();
    const [x, m, y] = (await Promise.all([1, 2, 3].map(() => signIn(app)))).sort((a, b) => (a.id < b.id ? -1 : 1));
    const [keys] = await app.dataSource.query('SELECT hashtext($1::text) AS worker, hashtext($2::text) AS dataset', [
      m.id,
      fixture.datasetId,
    ]);
    // The first batch takes x, then waits for m (held here). The second, given y before x, must
    // also start with x: taking y first would hold what the first batch needs next, and the first
    // batch would hold what it needs (a deadlock, reported to one of them as an error: this
    // repository method does not retry).
    const held = await holdAdvisoryLock(app.config.databaseUrl, keys.worker, keys.dataset);
    const now = new Date();
    const first = claims.claimMany(
      app.dataSource,
      [x, m, y].map((u) => ({ workerId: u.id, datasetId: fixture.datasetId, now })),
    );
    await lockWaitSeen(app.config.databaseUrl, '%claim_task%', 20_000, 1);
    const second = claims.claimMany(
      app.dataSource,
      [y, x].map((u) => ({ workerId: u.id, datasetId: fixture.datasetId, now })),
    );
    await lockWaitSeen(app.config.databaseUrl, '%claim_task%', 20_000, 2);
    await held.release();
    const [a, b] = await Promise.all([first, second]);
    const [ax, am, ay] = a.map(claimed);
    const [by, bx] = b.map(claimed);
    // The second batch came after the first: x and y get back the leases they already hold.
    expect([by.id, bx.id]).toEqual([ay.id, ax.id]);
    expect(new Set([ax.id, am.id, ay.id]).size).toBe(3);
  });

  it('stores each submit of a batch, and answers a second submit of the same work as a replay', async () => {
    const fixture = await openDataset();
    const users = await Promise.all([1, 2, 3].map(() => signIn(app)));
    const now = new Date();
    const leases = (
      await claims.claimMany(
        app.dataSource,
        users.map((u) => ({ workerId: u.id, datasetId: fixture.datasetId, now })),
      )
    ).map(claimed);
    const submits = users.map((u, i) => submitOf(u, leases[i], fixture));
    const outcomes = await submissions.submitMany([...submits, submits[0]]);
    expect(outcomes.slice(0, 3).map((o) => o.outcome)).toEqual(['SUBMITTED', 'SUBMITTED', 'SUBMITTED']);
    expect(outcomes[3]).toMatchObject({ outcome: 'STATE', status: 'SUBMITTED', hash: submits[0].hash });
    const rows: { worker_id: string; status: string; submission_hash: string }[] = await app.dataSource.query(
      'SELECT worker_id, status, submission_hash FROM assignments WHERE id = ANY($1::uuid[])',
      [leases.map((l) => l.id)],
    );
    for (const [i, user] of users.entries())
      expect(rows.find((r) => r.worker_id === user.id)).toMatchObject({
        status: 'SUBMITTED',
        submission_hash: submits[i].hash,
      });
    const [{ answers }] = await app.dataSource.query(
      'SELECT count(*)::int AS answers FROM answers WHERE assignment_id = ANY($1::uuid[])',
      [leases.map((l) => l.id)],
    );
    expect(answers).toBe(leases.reduce((n, l) => n + l.items.length, 0));
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
  });

  it('stores free text exactly as given, and answers a call without answers by its state', async () => {
    const fixture = await createOpenDataset(app.dataSource, {
      items: 8,
      itemsPerTask: 4,
      labelSchema: { kind: 'FREE_TEXT' } as never,
    });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    const users = await Promise.all([1, 2].map(() => signIn(app)));
    const now = new Date();
    const leases = (
      await claims.claimMany(
        app.dataSource,
        users.map((u) => ({ workerId: u.id, datasetId: fixture.datasetId, now })),
      )
    ).map(claimed);
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
    const [stored, live] = await submissions.submitMany([
      {
        workerId: users[0].id,
        assignmentId: leases[0].id,
        answers: check.answers,
        hash: submissionHash(check.answers),
        now,
        verdictMinGold: app.config.verdictMinGold,
        verdictMaxDelaySeconds: app.config.verdictMaxDelaySeconds,
      },
      {
        workerId: users[1].id,
        assignmentId: leases[1].id,
        answers: null,
        hash: null,
        now,
        verdictMinGold: app.config.verdictMinGold,
        verdictMaxDelaySeconds: app.config.verdictMaxDelaySeconds,
      },
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
    const users = await Promise.all([1, 2].map(() => signIn(app)));
    const now = new Date();
    const leases = (
      await claims.claimMany(
        app.dataSource,
        users.map((u) => ({ workerId: u.id, datasetId: fixture.datasetId, now })),
      )
    ).map(claimed);
    const good = submitOf(users[0], leases[0], fixture);
    // Two answers to one item: the answers' key refuses the second in the database (the service
    // would have refused it before; here it stands for any failure of one call).
    const bad = submitOf(users[1], leases[1], fixture);
    bad.answers = [...(bad.answers ?? []), (bad.answers ?? [])[0]];
    await expect(submissions.submitMany([good, bad])).rejects.toThrow();
    const [{ n }] = await app.dataSource.query(
      `SELECT count(*)::int AS n FROM assignments WHERE id = ANY($1::uuid[]) AND status = 'SUBMITTED'`,
      [leases.map((l) => l.id)],
    );
    expect(n).toBe(0);
    expect((await submissions.submit(good)).outcome).toBe('SUBMITTED');
  });
});
