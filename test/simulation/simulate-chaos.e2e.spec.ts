import { PassThrough } from 'node:stream';
import { DataSource } from 'typeorm';
import { parseSimulationOptions } from '../../src/simulation/options';
import { simulate, type SimulationRun } from '../../src/simulation/simulate';
import { invariantViolations } from '../tasks/invariants';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { tempDirs } from '../support/temp-dirs';

// `npm run simulate -- --chaos`, small: a crowd of every kind works a dataset through the public
// API while the worker process and one of the two API processes are SIGKILLed and restarted, the
// chain RPC is cut off and recent blocks are reorged away (one fault of each kind at least).
// Afterwards the report's own checks and the database's invariants must all hold.

describe('the simulation under chaos', () => {
  jest.setTimeout(900_000);
  const tempDir = tempDirs('lc-sim-');
  let db: TestDatabase;
  let run: SimulationRun;

  beforeAll(async () => {
    db = await createTestDatabase();
    const options = parseSimulationOptions(
      ['--workers', '12', '--items', '80', '--reviewers', '2', '--chaos', '--seed', '7', '--think-ms', '50'],
      false,
    );
    run = await simulate(
      { ...options, out: tempDir(), progress: false, timeoutSeconds: 600 },
      { log: () => undefined, progress: new PassThrough() },
      { databaseUrl: db.url, appealWindowSeconds: 5 },
    );
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('made every kind of fault', () => {
    const events = run.report.chaos?.events.map((e) => e.what) ?? [];
    for (const what of [
      /^SIGKILL worker$/,
      /^SIGKILL api-2$/,
      /^chain RPC unreachable$/,
      /^reorg: \d+ blocks? dropped$/,
    ])
      expect(events.some((e) => what.test(e))).toBe(true);
  });

  it('lost, duplicated and double-paid nothing; paid every matured balance; every label final', () => {
    expect(run.report.invariants.filter((i) => i.violations > 0)).toEqual([]);
    expect(run.report.invariants.map((i) => i.name)).toEqual(
      expect.arrayContaining(['lost answers', 'duplicate answers', 'double payments', 'unpaid matured balances']),
    );
  });

  it('reconciles to the base unit: chain == ledger == vault outflow, refund == budget − spent', () => {
    const r = run.report.reconciliation;
    expect(r.onChainReceived).toBe(r.ledgerPaid);
    expect(r.vaultOutflow).toBe(r.ledgerPaid);
    expect(r.refund).toBe(r.budgetMinusSpent);
    expect(Number(r.refund)).toBeGreaterThan(0);
    expect(r.holds).toBe(true);
  });

  it('leaves the database in a state its invariants accept', async () => {
    const dataSource = new DataSource({ type: 'postgres', url: db.url });
    await dataSource.initialize();
    try {
      expect(await invariantViolations(dataSource, run.datasetId)).toEqual({});
    } finally {
      await dataSource.destroy();
    }
  });
});
