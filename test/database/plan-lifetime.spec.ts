import { DataSource, type EntityManager } from 'typeorm';
import { PLAN_LIFETIME_MS } from '../../src/database/plan-lifetime';
import { preparedRowsIn } from '../../src/database/query-rows';
import { typeormOptions } from '../../src/database/typeorm-options';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

// A prepared statement's plan, made while its table held one row, is a sequential scan; kept,
// it reads the whole table after it grew to 20,000 rows. preparedRowsIn keeps it for less than a
// second (of the caller's monotonic clock, given here) and then has it made again: by the
// key, from the table's size now. No ANALYZE runs in between (none would on a server without
// autovacuum): the size alone moves the plan. The table is the test's own, a temporary table of the
// one pooled connection: this tests what PostgreSQL does with a plan, not a state of the product.
const PROBE = { name: 'plan-lifetime.probe', text: 'SELECT v FROM plan_probe WHERE k = $1' };

describe('cached plans live at most a second', () => {
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

  // At `now`: the probe run as a transaction's prepared statement (its generic plan made at once,
  // as the sixth call would), and the scan its plan starts with.
  const probeAt = (now: number): Promise<{ rows: unknown[]; scan: string }> =>
    dataSource.transaction(async (manager: EntityManager) => {
      await manager.query("SET LOCAL plan_cache_mode = 'force_generic_plan'");
      const rows = await preparedRowsIn(manager, PROBE, [1], now);
      const [plan] = (await manager.query(`EXPLAIN (FORMAT JSON) EXECUTE "${PROBE.name}"(1)`)) as {
        'QUERY PLAN': { Plan: { 'Node Type': string } }[];
      }[];
      return { rows, scan: plan['QUERY PLAN'][0].Plan['Node Type'] };
    });

  it('keeps a plan under a second old, and makes it again from the table as it is once older', async () => {
    const start = 5_000;
    expect(await probeAt(start)).toEqual({ rows: [{ v: 'one' }], scan: 'Seq Scan' });

    await dataSource.query("INSERT INTO plan_probe SELECT k, 'more' FROM generate_series(2, 20000) AS k");
    // Kept: the plan made for one row still reads them all.
    expect((await probeAt(start + PLAN_LIFETIME_MS - 1)).scan).toBe('Seq Scan');
    // A second old: made again, by the key.
    expect(await probeAt(start + PLAN_LIFETIME_MS)).toEqual({ rows: [{ v: 'one' }], scan: 'Index Scan' });
  });

  it('is for transactions: outside one it says so instead of using a connection it does not hold', async () => {
    await expect(preparedRowsIn(dataSource.manager, PROBE, [1])).rejects.toThrow(/outside one/);
  });
});
