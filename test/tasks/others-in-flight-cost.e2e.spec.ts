import { Client } from 'pg';
import { claimStatement } from '../../src/tasks/claim.repository';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { pendingSubmissionsStatement } from '../../src/tasks/verdict.repository';
import { createOpenDataset } from '../support/fixtures';
import { signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { answersFor, claim, submit } from './labeler';

// A worker's own lookups do not read other workers' work in flight: a claim finds the worker's
// live lease, a verdict locks the worker's pending submissions, and neither touches more buffers
// when 300 other labelers hold a lease or wait for a verdict. The planner is given its worst
// case: statistics taken while few rows were in flight (a quiet moment; this machine runs without
// autovacuum, and a pooled connection's cached plan outlives statistics anyway), and a connection
// opened after the crowd arrived, as an api or worker process started then would plan in it.
// Until migration TimeIndexesOnlyForTheirScans, both were planned here on a time index of
// everyone's rows in flight: 306 buffers a claim against 51, 275 a verdict lock against 4 (on a
// copy of a bench:assign database, all 56,149 pending submissions read, 49 ms, for one lock).

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

  // Buffers (shared, hit or read) each statement touches, nested statements of its functions
  // included, executed in a connection of its own, opened now.
  async function buffersInNewConnection(statements: { text: string; values: unknown[] }[]): Promise<number[]> {
    const client = new Client({ connectionString: app.config.databaseUrl });
    await client.connect();
    try {
      const costs = [];
      for (const statement of statements) {
        const { rows } = await client.query(
          `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement.text}`,
          statement.values,
        );
        const plan = (rows[0]['QUERY PLAN'] as { Plan: Record<string, number> }[])[0].Plan;
        costs.push(plan['Shared Hit Blocks'] + plan['Shared Read Blocks']);
      }
      return costs;
    } finally {
      await client.end();
    }
  }

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

    // Leases held, no submission waiting: statistics taken. A claim through the api returns the
    // lease the worker holds, so claimAndSubmit hands in the measured claims' leases.
    await app.dataSource.query('ANALYZE assignments');
    await eachOf(quiet, claimAndSubmit);
    const quietLocks = await buffersInNewConnection(quiet.map(pendingOf));
    await eachOf([...crowd, ...busy], claimAndSubmit);
    const busyLocks = await buffersInNewConnection(busy.map(pendingOf));

    expect({
      claim: Math.min(...busyClaims) < Math.min(...quietClaims) + MARGIN,
      verdictLock: Math.min(...busyLocks) < Math.min(...quietLocks) + MARGIN,
    }).toEqual({ claim: true, verdictLock: true });
  });
});
