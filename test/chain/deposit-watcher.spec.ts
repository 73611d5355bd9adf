import { DepositWatcherService } from '../../src/chain/deposit-watcher.service';
import type { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/test-app';
import { eventually } from '../payouts/payout-fixtures';
import { randomKey, startTestChain, type TestChain } from './test-chain';

const QUIET = { PAYOUT_INTERVAL_SECONDS: '0', PAYOUT_RECONCILE_SECONDS: '0', DEPOSIT_POLL_SECONDS: '0' };

async function createDataset(dataSource: DataSource): Promise<{ id: string; key: string }> {
  const key = randomKey();
  const [row] = await dataSource.query(
    `INSERT INTO datasets (owner_id, name, label_schema, answers_per_item, max_answers_per_item, items_per_task, reward_per_answer, deposit_key)
     VALUES (gen_random_uuid(), 'funded', '{"kind":"FREE_TEXT"}', 1, 1, 1, 1, $1) RETURNING id`,
    [key],
  );
  return { id: row.id, key };
}

const budgetOf = async (dataSource: DataSource, id: string): Promise<bigint> =>
  BigInt((await dataSource.query(`SELECT budget FROM datasets WHERE id = $1`, [id]))[0].budget);

describe(DepositWatcherService.name, () => {
  let chain: TestChain;
  let app: TestApp;
  let watcher: DepositWatcherService;
  const start = async (confirmations = 1): Promise<void> => {
    chain = await startTestChain({ confirmations });
    app = await startTestApp({ role: 'api', chain: chain.settings, env: { ...QUIET, CHAIN_REORG_WINDOW: '16' } });
    watcher = app.app.get(DepositWatcherService);
  };
  afterEach(async () => {
    await app.close();
    await chain.close();
  });

  it('credits a deposit exactly once, however many scans and workers see it', async () => {
    await start();
    const dataset = await createDataset(app.dataSource);
    const txHash = await chain.deposit(dataset.key, 5n);
    const second = await startTestApp({ shareWith: app, role: 'api' });
    try {
      await Promise.all([watcher.scan(), second.app.get(DepositWatcherService).scan(), watcher.scan()]);
      await watcher.scan();
      await second.app.get(DepositWatcherService).scan();
    } finally {
      await second.close(); // a "restart": the cursor and the dedupe key live in the database
    }
    expect(await budgetOf(app.dataSource, dataset.id)).toBe(5n);
    expect(await app.dataSource.query(`SELECT tx_hash, status, amount FROM chain_deposits`)).toEqual([
      { tx_hash: txHash, status: 'CREDITED', amount: '5' },
    ]);
    await chain.deposit(dataset.key, 7n);
    await watcher.scan();
    expect(await budgetOf(app.dataSource, dataset.id)).toBe(12n);
    const [{ n }] = await app.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'deposit.credited' AND subject = $1`,
      [`dataset:${dataset.id}`],
    );
    expect(n).toBe(2);
  });

  it('records a deposit to an unknown key without crediting anything', async () => {
    await start();
    const dataset = await createDataset(app.dataSource);
    await chain.deposit(randomKey(), 5n);
    await watcher.scan();
    expect(await app.dataSource.query(`SELECT status, dataset_id FROM chain_deposits`)).toEqual([
      { status: 'UNMATCHED', dataset_id: null },
    ]);
    expect(await budgetOf(app.dataSource, dataset.id)).toBe(0n);
  });

  it('waits for CHAIN_CONFIRMATIONS before crediting', async () => {
    await start(3);
    const dataset = await createDataset(app.dataSource);
    await chain.deposit(dataset.key, 5n);
    await watcher.scan();
    expect(await budgetOf(app.dataSource, dataset.id)).toBe(0n);
    await chain.mine();
    await watcher.scan();
    expect(await budgetOf(app.dataSource, dataset.id)).toBe(0n);
    await chain.mine();
    await watcher.scan();
    expect(await budgetOf(app.dataSource, dataset.id)).toBe(5n);
  });

  it('takes a credit back when its block is reorged away, and credits the deposit again if it is re-mined', async () => {
    await start();
    const dataset = await createDataset(app.dataSource);
    await chain.deposit(dataset.key, 5n);
    const snapshot = await chain.snapshot();
    await chain.deposit(dataset.key, 7n);
    await watcher.scan();
    expect(await budgetOf(app.dataSource, dataset.id)).toBe(12n);

    await chain.revert(snapshot); // the 7-token deposit is gone; the 5-token one stays
    await chain.mine(3); // the new chain grows past the old head
    await watcher.scan();
    expect(await budgetOf(app.dataSource, dataset.id)).toBe(5n);
    expect(
      (await app.dataSource.query(`SELECT amount, status FROM chain_deposits ORDER BY amount`)).map(
        (r: { amount: string; status: string }) => `${r.amount}:${r.status}`,
      ),
    ).toEqual(['5:CREDITED', '7:REVERSED']);
    const [{ n }] = await app.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'deposit.reversed'`,
    );
    expect(n).toBe(1);

    await chain.deposit(dataset.key, 7n); // the requester deposits again on the new chain
    await watcher.scan();
    expect(await budgetOf(app.dataSource, dataset.id)).toBe(12n);
  });

  it('runs in the worker on a schedule', async () => {
    chain = await startTestChain();
    app = await startTestApp({ role: 'all', chain: chain.settings, env: { ...QUIET, DEPOSIT_POLL_SECONDS: '1' } });
    const dataset = await createDataset(app.dataSource);
    await chain.deposit(dataset.key, 9n);
    await eventually(async () => ((await budgetOf(app.dataSource, dataset.id)) === 9n ? true : undefined));
  });
});
