import { DataSource, type EntityManager } from 'typeorm';
import { PLAN_LIFETIME_MS } from '../../src/database/plan-lifetime';
import { preparedRowsIn } from '../../src/database/query-rows';
import { typeormOptions } from '../../src/database/typeorm-options';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

// A prepared statement's plan, made while its table held one row, is a sequential scan; kept,
// it reads the whole table after it grew to 20,000 rows. preparedRowsIn keeps it for less than
// PLAN_LIFETIME_MS (of the caller's monotonic clock, given here) and then has it made again: by the key, from
// the table's size now. No ANALYZE runs in between (none would on a server without autovacuum): the
// size alone moves the plan. Only that statement's plan is remade; another statement prepared on the
// connection keeps its own (in one process the claim and submit functions' plans share the pool with
// the verdicts', and remaking those costs more than it saves). The table is the test's own, a
// temporary table of the one pooled connection: this tests what PostgreSQL does with a plan, not a
// state of the product.
const PROBE = { name: 'plan-lifetime.probe', text: 'SELECT v FROM plan_probe WHERE k = $1' };
const OTHER = { name: 'plan-lifetime.other', text: 'SELECT k FROM plan_probe WHERE k = $1' };

describe('prepared plans have a lifetime', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource(typeormOptions(db.url, { extra: { max: 1 } })).initialize();
    await dataSource.query('CREATE TEMP TABLE plan_probe (k int PRIMARY KEY, v text)');
    await dataSource.query("INSERT INTO plan_probe VALUES (1, 'one')");
    await dataSource.query('ANALYZE plan_probe');
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  // The scan the cached generic plan of a prepared statement starts with.
  async function scanOf(manager: EntityManager, name: string): Promise<string> {
    const [plan] = (await manager.query(`EXPLAIN (FORMAT JSON) EXECUTE "${name}"(1)`)) as {
      'QUERY PLAN': { Plan: { 'Node Type': string } }[];
    }[];
    return plan['QUERY PLAN'][0].Plan['Node Type'];
  }

  // At `now`, in one transaction: `statements` run through preparedRowsIn (their generic plans made
  // at once, as the sixth call would), then the scans of both statements' plans.
  const at = (now: number, statements: { name: string; text: string }[]) =>
    dataSource.transaction(async (manager) => {
      await manager.query("SET LOCAL plan_cache_mode = 'force_generic_plan'");
      const rows = [];
      for (const statement of statements) rows.push(await preparedRowsIn(manager, statement, [1], now));
      return { rows, probe: await scanOf(manager, PROBE.name), other: await scanOf(manager, OTHER.name) };
    });

  it("keeps a plan younger than its lifetime, makes it again from the table as it is once older, and leaves the connection's other plans alone", async () => {
    const start = 5_000;
    expect(await at(start, [PROBE, OTHER])).toEqual({
      rows: [[{ v: 'one' }], [{ k: 1 }]],
      probe: 'Seq Scan',
      other: 'Seq Scan',
    });

    await dataSource.query("INSERT INTO plan_probe SELECT k, 'more' FROM generate_series(2, 20000) AS k");
    // Kept: the plan made for one row still reads them all.
    expect((await at(start + PLAN_LIFETIME_MS - 1, [PROBE])).probe).toBe('Seq Scan');
    // As old as its lifetime: made again, by the key; the other statement, not run since, keeps its plan.
    expect(await at(start + PLAN_LIFETIME_MS, [PROBE])).toEqual({
      rows: [[{ v: 'one' }]],
      probe: 'Index Scan',
      other: 'Seq Scan',
    });
  });

  it('is for transactions: outside one it says so instead of using a connection it does not hold', async () => {
    await expect(preparedRowsIn(dataSource.manager, PROBE, [1])).rejects.toThrow(/outside one/);
  });
});
