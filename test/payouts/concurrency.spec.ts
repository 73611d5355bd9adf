import { Wallet } from 'ethers';
import { PayoutStatus } from '../../src/payouts/payout-status';
import { OPERATOR_KEY } from '../chain/test-chain';
import { startTestApp, type TestApp } from '../support/test-app';
import { TOKEN, createLabelers, earn, expectReconciled, statusesOf } from './payout-fixtures';
import { servicesOf, startScenario, type Scenario } from './payout-scenario';

describe('payouts with two workers', () => {
  let s: Scenario;
  let second: TestApp;
  beforeEach(async () => {
    s = await startScenario({ env: { PAYOUT_MAX_RECIPIENTS: '40' } });
    second = await startTestApp({ shareWith: s.app, role: 'api', clock: s.clock });
  });
  afterEach(async () => {
    await second.close();
    await s.close();
  });

  it('never puts one earning in two batches when two builders run at once', async () => {
    const labelers = await createLabelers(s.app.dataSource, 150);
    let earned = 0n;
    for (const [i, l] of labelers.entries()) {
      for (let k = 0; k <= i % 3; k++) {
        await earn(s.app.dataSource, { accountId: l.id, amount: TOKEN + BigInt(k) });
        earned += TOKEN + BigInt(k);
      }
    }
    const other = servicesOf(second);
    const batches = (await Promise.all([s.builder.buildAll(), other.builder.buildAll(), s.builder.buildAll()])).flat();
    expect(batches).toHaveLength(4); // 150 recipients, 40 a batch
    expect(batches.every((x) => x.recipients <= 40)).toBe(true);
    expect(batches.reduce((sum, x) => sum + x.total, 0n)).toBe(earned);
    const [{ accounts, items }] = await s.app.dataSource.query(
      `SELECT count(DISTINCT account_id)::int AS accounts, count(*)::int AS items FROM payout_items`,
    );
    expect({ accounts, items }).toEqual({ accounts: 150, items: 150 });
    await s.chain.fundVault(earned);
    for (const batch of batches) expect(await s.sender.drive(batch.id)).toBe(PayoutStatus.CONFIRMED);
    await expectReconciled(s.app.dataSource, s.chain, labelers);
  });

  it('sends a batch once when two workers drive and reconcile it at the same time', async () => {
    const labelers = await createLabelers(s.app.dataSource, 5);
    for (const l of labelers) await earn(s.app.dataSource, { accountId: l.id, amount: 2n * TOKEN });
    await s.chain.fundVault(10n * TOKEN);
    const [batch] = await s.builder.buildAll();
    const other = servicesOf(second);
    await Promise.all([
      s.sender.drive(batch.id),
      other.sender.drive(batch.id),
      s.reconciler.reconcileAll(),
      other.reconciler.reconcileAll(),
      other.sender.step(batch.id),
    ]);
    await s.reconciler.reconcileAll();
    expect(await statusesOf(s.app.dataSource)).toEqual({ CONFIRMED: 1 });
    const [{ send_count: sends }] = await s.app.dataSource.query(
      `SELECT send_count FROM payout_batches WHERE id = $1`,
      [batch.id],
    );
    expect(sends).toBe(1);
    expect(await s.chain.provider.getTransactionCount(new Wallet(OPERATOR_KEY).address, 'latest')).toBe(1);
    await expectReconciled(s.app.dataSource, s.chain, labelers);
  });
});
