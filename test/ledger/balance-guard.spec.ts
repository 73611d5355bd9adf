import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createLabelers, earn } from '../payouts/payout-fixtures';
import { seededRandom } from '../support/seeded-random';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../datasets/dataset-fixtures';

// The running balance row (ledger_balances) that replaced the guard's sum over an account's
// whole history, under concurrent debits and credits. Interleavings are forced with explicit
// transactions on separate connections, and "T2 is waiting" is read from pg_stat_activity.

const DEBIT = `INSERT INTO ledger_entries (account_id, kind, amount, available_at, idempotency_key) VALUES ($1, 'PAYOUT', $2, now(), $3)`;
const CREDIT = `INSERT INTO ledger_entries (account_id, kind, amount, available_at, idempotency_key) VALUES ($1, 'EARNING', $2, $3, $4)`;

describe('ledger balance guard (running balance row)', () => {
  let app: TestApp;
  const clients: Client[] = [];
  beforeAll(async () => {
    app = await startTestApp({ role: 'api' });
  });
  afterAll(async () => {
    for (const c of clients) await c.end();
    await app.close();
  });

  async function connection(): Promise<Client & { pid: number }> {
    const client = new Client({ connectionString: app.config.databaseUrl });
    await client.connect();
    clients.push(client);
    const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    return Object.assign(client, { pid });
  }

  const waitingOnLock = async (pid: number): Promise<boolean> => {
    const rows: { waiting: boolean }[] = await app.dataSource.query(
      `SELECT wait_event_type = 'Lock' AS waiting FROM pg_stat_activity WHERE pid = $1`,
      [pid],
    );
    return rows[0]?.waiting === true;
  };

  const outcome = (p: Promise<unknown>): Promise<string> =>
    p.then(
      () => 'ok',
      (e: { code?: string }) => e.code ?? 'error',
    );

  async function balanceRow(accountId: string): Promise<{ total: string; sum: string }> {
    const [row] = await app.dataSource.query(
      `SELECT (SELECT total::text FROM ledger_balances WHERE account_id = $1) AS total, (SELECT coalesce(sum(amount), 0)::text FROM ledger_entries WHERE account_id = $1) AS sum`,
      [accountId],
    );
    return row;
  }

  it('makes a second debit wait for the first and then refuses it when the first used the balance up', async () => {
    const [worker] = await createLabelers(app.dataSource, 1);
    await earn(app.dataSource, { accountId: worker.id, amount: 10n });
    const [t1, t2] = [await connection(), await connection()];
    await t1.query('BEGIN');
    await t1.query(DEBIT, [worker.id, '-7', randomUUID()]);
    const second = outcome(t2.query(DEBIT, [worker.id, '-7', randomUUID()]));
    await until(() => waitingOnLock(t2.pid));
    await t1.query('COMMIT');
    expect(await second).toBe('23514');
    expect(await balanceRow(worker.id)).toEqual({ total: '3', sum: '3' });
  });

  it('makes a debit wait for an uncommitted credit: it passes if the credit commits and is refused if it rolls back', async () => {
    for (const end of ['COMMIT', 'ROLLBACK'] as const) {
      const [worker] = await createLabelers(app.dataSource, 1);
      await earn(app.dataSource, { accountId: worker.id, amount: 5n });
      const [t1, t2] = [await connection(), await connection()];
      await t1.query('BEGIN');
      await t1.query(CREDIT, [worker.id, '5', new Date(0), randomUUID()]);
      const debit = outcome(t2.query(DEBIT, [worker.id, '-8', randomUUID()]));
      await until(() => waitingOnLock(t2.pid));
      await t1.query(end);
      expect({ end, debit: await debit }).toEqual({ end, debit: end === 'COMMIT' ? 'ok' : '23514' });
      const expected = end === 'COMMIT' ? '2' : '5';
      expect(await balanceRow(worker.id)).toEqual({ total: expected, sum: expected });
    }
  });

  it('counts held credits in the total but never lets a debit spend them', async () => {
    const [worker] = await createLabelers(app.dataSource, 1);
    await earn(app.dataSource, { accountId: worker.id, amount: 4n });
    await earn(app.dataSource, { accountId: worker.id, amount: 50n, availableAt: new Date(Date.now() + 3600_000) });
    expect(await balanceRow(worker.id)).toEqual({ total: '54', sum: '54' });
    await expect(app.dataSource.query(DEBIT, [worker.id, '-5', randomUUID()])).rejects.toMatchObject({
      driverError: { code: '23514' },
    });
    await app.dataSource.query(DEBIT, [worker.id, '-4', randomUUID()]);
    expect(await balanceRow(worker.id)).toEqual({ total: '50', sum: '50' });
  });

  it('keeps every total equal to its entries and no matured balance below zero under a storm of concurrent debits and credits', async () => {
    const accounts = await createLabelers(app.dataSource, 4);
    const random = seededRandom(11);
    const held = new Date(Date.now() + 3600_000);
    const ops = Array.from({ length: 240 }, () => {
      const account = accounts[Math.floor(random() * accounts.length)];
      const roll = random();
      const amount = 1 + Math.floor(random() * 9);
      if (roll < 0.45) return () => app.dataSource.query(DEBIT, [account.id, String(-amount), randomUUID()]);
      return () =>
        app.dataSource.query(CREDIT, [account.id, String(amount), roll < 0.9 ? new Date(0) : held, randomUUID()]);
    });
    const results = await Promise.all(ops.map((op) => outcome(op())));
    expect(new Set(results)).toEqual(new Set(['ok', '23514']));
    for (const account of accounts) {
      const row = await balanceRow(account.id);
      expect(row.total).toBe(row.sum);
      const [{ matured }] = await app.dataSource.query(
        `SELECT coalesce(sum(amount), 0)::text AS matured FROM ledger_entries WHERE account_id = $1 AND (amount < 0 OR available_at <= now())`,
        [account.id],
      );
      expect(BigInt(matured)).toBeGreaterThanOrEqual(0n);
    }
  });

  it('adds a multi-account statement to every account it touches (a payout batch debits many at once)', async () => {
    const accounts = await createLabelers(app.dataSource, 3);
    for (const a of accounts) await earn(app.dataSource, { accountId: a.id, amount: 9n });
    await app.dataSource.query(
      `INSERT INTO ledger_entries (account_id, kind, amount, available_at, idempotency_key) SELECT unnest($1::uuid[]), 'PAYOUT', -9, now(), 'multi:' || gen_random_uuid()`,
      [accounts.map((a) => a.id)],
    );
    for (const a of accounts) expect(await balanceRow(a.id)).toEqual({ total: '0', sum: '0' });
    await expect(
      app.dataSource.query(
        `INSERT INTO ledger_entries (account_id, kind, amount, available_at, idempotency_key) SELECT unnest($1::uuid[]), 'PAYOUT', -1, now(), 'multi:' || gen_random_uuid()`,
        [accounts.map((a) => a.id)],
      ),
    ).rejects.toMatchObject({ driverError: { code: '23514' } });
  });
});
