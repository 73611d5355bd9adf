import { Client } from 'pg';
import { endActiveStatement } from '../../src/tasks/assignments.repository';
import { claimStatement } from '../../src/tasks/claim.repository';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { decidedStatement, pendingSubmissionsStatement } from '../../src/tasks/verdict.repository';
import { buffersOf, executedPlan, indexesOf, type RunSql, type SqlStatement } from '../support/explain';
import { createOpenDataset } from '../support/fixtures';
import { signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { answersFor, claim, publishVerdicts, submit } from './labeler';

// A worker's own lookups do not read other workers' work in flight: a claim finds the worker's
// live lease, a verdict locks the worker's pending submissions, and neither touches more buffers
// when 300 other labelers hold a lease or wait for a verdict; a release and a verdict's update
// find their rows by key, with no other index of assignments in the plan. The planner is given
// its worst case: statistics taken while few rows were in flight (a quiet moment; this machine
// runs without autovacuum, and a pooled connection's cached plan outlives statistics anyway), and
// a connection opened after the crowd arrived, as an api or worker process started then would plan
// in it. Before migration TimeIndexesOnlyForTheirScans, the claim and the lock were planned here
// on a time index of everyone's rows in flight (306 buffers a claim against 51, 275 a lock against
// 4; on a copy of a bench:assign database all 56,149 pending submissions were read, 49 ms, for one
// lock); with plain status conditions the release scanned assignments_one_active_key and the
// verdict's update assignments_in_flight_idx (3,468 entries for 7 rows under bench:assign).

const CROWD = 300;
// Other random draws and index pages between the two phases; reading the crowd's rows costs about
// one buffer per row (300 more).
const MARGIN = 24;

describe("a worker's lookups do not grow with others' work in flight", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => app.close());

  // `work` on a connection of its own, opened now: the functions' statements are planned in it.
  async function inNewConnection<T>(work: (run: RunSql) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: app.config.databaseUrl });
    await client.connect();
    try {
      return await work(async (text, values) => (await client.query(text, values)).rows);
    } finally {
      await client.end();
    }
  }

  // Buffers each statement touches, executed one after the other on a new connection.
  const buffersInNewConnection = (statements: SqlStatement[]): Promise<number[]> =>
    inNewConnection(async (run) => {
      const costs = [];
      for (const statement of statements) costs.push(buffersOf(await executedPlan(run, statement)));
      return costs;
    });

  // The indexes of `table` a statement's plan reads, executed on a new connection inside a
  // transaction rolled back afterwards.
  const indexesReadInNewConnection = (statement: SqlStatement, table: string): Promise<string[]> =>
    inNewConnection(async (run) => {
      const ofTable = new Set(
        (await run('SELECT indexname FROM pg_indexes WHERE tablename = $1', [table])).map((r) => r.indexname),
      );
      await run('BEGIN', []);
      const plan = await executedPlan(run, statement);
      await run('ROLLBACK', []);
      return [...new Set(indexesOf(plan).filter((index) => ofTable.has(index)))].sort();
    });

  async function signInMany(n: number): Promise<SignedInUser[]> {
    const users: SignedInUser[] = [];
    for (let i = 0; i < n; i += 20)
      users.push(...(await Promise.all(Array.from({ length: Math.min(20, n - i) }, () => signIn(app)))));
    return users;
  }

  // In groups of 20 at a time, as many labelers would.
  async function eachOf(users: SignedInUser[], work: (user: SignedInUser) => Promise<void>): Promise<void> {
    for (let i = 0; i < users.length; i += 20) await Promise.all(users.slice(i, i + 20).map(work));
  }

  it('a claim reads no other live lease, a verdict lock no other pending submission', async () => {
    // One-item tasks with one slot each, no gold: every submission waits for its verdict (no
    // verdict job runs in an api process).
    const fixture = await createOpenDataset(app.dataSource, {
      items: CROWD + 8,
      itemsPerTask: 1,
      answersPerItem: 1,
    });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    const claimOf = (user: SignedInUser) =>
      claimStatement({ workerId: user.id, datasetId: fixture.datasetId, now: new Date() });
    const pendingOf = (user: SignedInUser) =>
      pendingSubmissionsStatement({ workerId: user.id, datasetId: fixture.datasetId });
    const claimAndSubmit = async (user: SignedInUser): Promise<void> => {
      const { assignment } = await claim(app, user.token, fixture.datasetId);
      expect((await submit(app, user.token, assignment!.id, answersFor(assignment!, fixture))).assignment?.status).toBe(
        'SUBMITTED',
      );
    };

    // Each lookup is measured at a quiet moment and again with the crowd's 300 rows in flight, with
    // statistics from the quiet moment (taken while nothing of its kind was in flight). A
    // connection's first claim also reads the catalogs: the least of each phase is compared.
    await app.dataSource.query('ANALYZE assignments');
    const quiet = await signInMany(4);
    const quietClaims = await buffersInNewConnection(quiet.map(claimOf));
    const crowd = await signInMany(CROWD);
    await eachOf(crowd, async (user) => {
      expect((await claim(app, user.token, fixture.datasetId)).assignment?.status).toBe('ACTIVE');
    });
    const busy = await signInMany(4);
    const busyClaims = await buffersInNewConnection(busy.map(claimOf));

    // A release of leases, and below the verdict's update of decided submissions, find their rows by
    // key and nothing else: ANDed with a scan of every row in flight they would grow with the crowd.
    const busyLeases = (await app.dataSource.query(
      `SELECT id FROM assignments WHERE worker_id = ANY ($1::uuid[]) AND status = 'ACTIVE'`,
      [busy.map((u) => u.id)],
    )) as { id: string }[];
    const releaseReads = await indexesReadInNewConnection(
      endActiveStatement({ ids: busyLeases.map((x) => x.id), status: 'RELEASED' }),
      'assignments',
    );

    // A claim through the api returns the lease the worker holds, so claimAndSubmit hands in the
    // measured claims' leases.
    await eachOf(quiet, claimAndSubmit);
    const quietPending = (await app.dataSource.query(
      `SELECT id FROM assignments WHERE worker_id = ANY ($1::uuid[]) AND status = 'SUBMITTED'`,
      [quiet.map((u) => u.id)],
    )) as { id: string }[];
    const decidedReads = await indexesReadInNewConnection(
      decidedStatement({
        at: new Date(),
        scored: quietPending.map((x) => ({ id: x.id, goldCorrect: 0, goldTotal: 0 })),
      }),
      'assignments',
    );
    const [{ pk }] = (await app.dataSource.query(
      `SELECT conname AS pk FROM pg_constraint WHERE conrelid = 'assignments'::regclass AND contype = 'p'`,
    )) as { pk: string }[];

    // Their verdicts published; leases held, no submission waiting: statistics taken.
    expect(await publishVerdicts(app)).toBeGreaterThan(0);
    await app.dataSource.query('ANALYZE assignments');
    const quietLocks = await buffersInNewConnection(quiet.map(pendingOf));
    await eachOf([...crowd, ...busy], claimAndSubmit);
    const busyLocks = await buffersInNewConnection(busy.map(pendingOf));

    expect({
      claim: Math.min(...busyClaims) < Math.min(...quietClaims) + MARGIN,
      verdictLock: Math.min(...busyLocks) < Math.min(...quietLocks) + MARGIN,
      // Their key, or nothing but the table itself where that is smaller than four key probes.
      otherIndexesOfRelease: releaseReads.filter((index) => index !== pk),
      otherIndexesOfDecided: decidedReads.filter((index) => index !== pk),
    }).toEqual({ claim: true, verdictLock: true, otherIndexesOfRelease: [], otherIndexesOfDecided: [] });
  });
});
