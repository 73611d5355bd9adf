import { randomUUID } from 'node:crypto';
import { recordEarning } from '../../src/ledger/earnings';
import { LedgerService } from '../../src/ledger/ledger.service';
import { gql } from '../support/gql';
import { signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { TOKEN, createLabelers, earn } from '../payouts/payout-fixtures';

const debit = (app: TestApp, params: { accountId: string; amount: bigint; key?: string }): Promise<unknown> =>
  app.dataSource.query(
    `INSERT INTO ledger_entries (account_id, kind, amount, available_at, idempotency_key) VALUES ($1, 'PAYOUT', $2, now(), $3)`,
    [params.accountId, (-params.amount).toString(), params.key ?? `test-debit:${randomUUID()}`],
  );

const sqlState = async (action: Promise<unknown>): Promise<string | undefined> => {
  try {
    await action;
    return undefined;
  } catch (error) {
    return (
      (error as { code?: string; driverError?: { code?: string } }).driverError?.code ??
      (error as { code?: string }).code
    );
  }
};

describe('ledger', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api' });
  });
  afterAll(() => app.close());

  describe('recordEarning', () => {
    it('records one earning per assignment however often it is called, and queues it for settlement', async () => {
      const [worker] = await createLabelers(app.dataSource, 1);
      const assignmentId = randomUUID();
      const earning = {
        accountId: worker.id,
        datasetId: randomUUID(),
        assignmentId,
        amount: 5n,
        availableAt: new Date(),
      };
      await Promise.all([
        recordEarning(app.dataSource.manager, earning),
        recordEarning(app.dataSource.manager, earning),
      ]);
      await recordEarning(app.dataSource.manager, earning);
      const rows = await app.dataSource.query(`SELECT amount FROM ledger_entries WHERE account_id = $1`, [worker.id]);
      expect(rows).toEqual([{ amount: '5' }]);
      expect(
        await app.dataSource.query(`SELECT amount, assignment_id FROM ledger_unsettled WHERE account_id = $1`, [
          worker.id,
        ]),
      ).toEqual([{ amount: '5', assignment_id: assignmentId }]);
    });
  });

  describe('guards in SQL', () => {
    it('refuses to update or delete a ledger entry (append-only)', async () => {
      const [worker] = await createLabelers(app.dataSource, 1);
      await earn(app.dataSource, { accountId: worker.id, amount: 5n });
      expect(
        await sqlState(
          app.dataSource.query(`UPDATE ledger_entries SET amount = 500 WHERE account_id = $1`, [worker.id]),
        ),
      ).toBe('23001');
      expect(
        await sqlState(app.dataSource.query(`DELETE FROM ledger_entries WHERE account_id = $1`, [worker.id])),
      ).toBe('23001');
      expect(
        await app.dataSource.query(`SELECT amount FROM ledger_entries WHERE account_id = $1`, [worker.id]),
      ).toEqual([{ amount: '5' }]);
    });

    it('refuses an entry whose sign contradicts its kind', async () => {
      const [worker] = await createLabelers(app.dataSource, 1);
      const insert = (kind: string, amount: string) =>
        app.dataSource.query(
          `INSERT INTO ledger_entries (account_id, kind, amount, available_at, idempotency_key) VALUES ($1, $2, $3, now(), $4)`,
          [worker.id, kind, amount, randomUUID()],
        );
      expect(await sqlState(insert('EARNING', '-1'))).toBe('23514');
      expect(await sqlState(insert('PAYOUT', '1'))).toBe('23514');
      expect(await sqlState(insert('PAYOUT_REVERSAL', '0'))).toBe('23514');
    });

    it('refuses a debit larger than the matured balance, counting held earnings out', async () => {
      const [worker] = await createLabelers(app.dataSource, 1);
      await earn(app.dataSource, { accountId: worker.id, amount: 10n });
      await earn(app.dataSource, { accountId: worker.id, amount: 100n, availableAt: new Date(Date.now() + 3600_000) });
      expect(await sqlState(debit(app, { accountId: worker.id, amount: 11n }))).toBe('23514');
      expect(await sqlState(debit(app, { accountId: worker.id, amount: 10n }))).toBeUndefined();
      expect(await sqlState(debit(app, { accountId: worker.id, amount: 1n }))).toBe('23514');
      const [{ balance }] = await app.dataSource.query(
        `SELECT sum(amount) AS balance FROM ledger_entries WHERE account_id = $1 AND available_at <= now()`,
        [worker.id],
      );
      expect(balance).toBe('0');
    });

    it('lets only as many concurrent debits through as the balance covers', async () => {
      const [worker] = await createLabelers(app.dataSource, 1);
      await earn(app.dataSource, { accountId: worker.id, amount: 10n });
      // Ten debits of 3 race from ten connections; each alone would pass.
      const results = await Promise.all(
        Array.from({ length: 10 }, () => sqlState(debit(app, { accountId: worker.id, amount: 3n }))),
      );
      expect(results.filter((r) => r === undefined)).toHaveLength(3);
      expect(results.filter((r) => r === '23514')).toHaveLength(7);
      const [{ balance }] = await app.dataSource.query(
        `SELECT sum(amount) AS balance FROM ledger_entries WHERE account_id = $1`,
        [worker.id],
      );
      expect(balance).toBe('1');
    });
  });

  describe('myEarnings', () => {
    it("splits held and payable earnings, nets reversals, and shows only the caller's own", async () => {
      const user = await signIn(app);
      const other = await signIn(app);
      await earn(app.dataSource, { accountId: user.id, amount: 3n * TOKEN });
      const reversed = await earn(app.dataSource, { accountId: user.id, amount: TOKEN });
      await app.dataSource.query(
        `INSERT INTO ledger_entries (account_id, kind, amount, assignment_id, available_at, idempotency_key) VALUES ($1, 'REVERSAL', $2, $3, now(), $4)`,
        [user.id, (-TOKEN).toString(), reversed, `reversal:${reversed}`],
      );
      await earn(app.dataSource, {
        accountId: user.id,
        amount: TOKEN / 4n,
        availableAt: new Date(Date.now() + 3600_000),
      });
      await earn(app.dataSource, { accountId: other.id, amount: 7n * TOKEN });
      const res = await gql(app, { query: '{ myEarnings { pending available inFlight paid } }', token: user.token });
      expect(res.data.myEarnings).toEqual({ pending: '0.25', available: '3', inFlight: '0', paid: '0' });
      expect(await app.app.get(LedgerService).balancesOf(other.id)).toEqual({
        pending: 0n,
        available: 7n * TOKEN,
        inFlight: 0n,
        paid: 0n,
      });
    });
  });
});
