import { Wallet } from 'ethers';
import { ChainIdentityService } from '../../src/chain/chain-identity.service';
import { ChainService } from '../../src/chain/chain.service';
import { DEV_KEYS, deployDevContracts, startDevChain } from '../../src/chain/dev-chain';
import { PayoutStatus } from '../../src/payouts/payout-status';
import { PayoutsProcessor } from '../../src/payouts/payouts.processor';
import { RUNTIME_CONFIG, type ChainSettings } from '../../src/config/runtime-config';
import { TOKEN, createLabelers, earn, expectReconciled } from '../payouts/payout-fixtures';
import { QUIET_ENV, movableClock, servicesOf } from '../payouts/payout-scenario';
import { cli } from '../support/cli';
import { tempDirs } from '../support/temp-dirs';
import { startTestApp, type TestApp } from '../support/test-app';
import { startRpcProxy } from './rpc-proxy';
import { OPERATOR_KEY, startTestChain, testChainAt, type TestChain } from './test-chain';

// The chain a database was built on is recorded at its first boot; a service pointed at another
// chain refuses to run (at boot) or to move money (a chain swapped under it), with one line.
describe('chain identity', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  /** A second dev chain that cannot be mistaken for one started in the same second. */
  async function otherChain(like: TestChain): Promise<ChainSettings> {
    const chain = await startDevChain({ port: 0, initialDate: '2020-01-01T00:00:00Z' });
    closers.push(() => chain.close());
    const contracts = await deployDevContracts({ rpcUrl: chain.rpcUrl, deployerKey: DEV_KEYS[0] });
    expect(contracts.vaultAddress.toLowerCase()).toBe(like.settings.vaultAddress); // same addresses, same code
    return { ...like.settings, rpcUrl: chain.rpcUrl };
  }

  async function started(chain: TestChain): Promise<TestApp> {
    const app = await startTestApp({ role: 'api', chain: chain.settings, env: QUIET_ENV });
    closers.push(() => app.close());
    return app;
  }

  it('records the chain at the first boot', async () => {
    const chain = await startTestChain();
    closers.push(() => chain.close());
    const app = await started(chain);
    const [row] = await app.dataSource.query(
      'SELECT chain_id, genesis_hash, anchor_block, vault_address FROM chain_identity',
    );
    const genesis = await chain.provider.getBlock(0);
    expect(row).toEqual({
      chain_id: '31337',
      genesis_hash: genesis!.hash,
      anchor_block: '0',
      vault_address: chain.settings.vaultAddress,
    });
  });

  it('refuses to boot on a chain with another genesis, with one line that says no money moved', async () => {
    const chain = await startTestChain();
    closers.push(() => chain.close());
    const app = await started(chain);
    const other = await otherChain(chain);
    const refusal = await startTestApp({ shareWith: app, chain: other }).then(
      () => null,
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(
      /^the dev chain at http:\/\/127\.0\.0\.1:\d+ is not the one this database was built on \(its genesis block is 0x[0-9a-f]{64}, the database's chain began with 0x[0-9a-f]{64}\); no money was moved: /,
    );
    expect(refusal!.split('\n')).toHaveLength(1);
  });

  it('refuses to boot with a vault address the database was not built with', async () => {
    const chain = await startTestChain();
    closers.push(() => chain.close());
    const app = await started(chain);
    const second = await deployDevContracts({ rpcUrl: chain.settings.rpcUrl, deployerKey: DEV_KEYS[3] });
    await expect(
      startTestApp({ shareWith: app, chain: { ...chain.settings, vaultAddress: second.vaultAddress.toLowerCase() } }),
    ).rejects.toThrow(
      `VAULT_ADDRESS is ${second.vaultAddress.toLowerCase()}, the database was built with ${chain.settings.vaultAddress}`,
    );
  });

  it('knows the chain of a database that predates the record by the blocks of its payouts', async () => {
    const chain = await startTestChain();
    closers.push(() => chain.close());
    const app = await started(chain);
    const [labeler] = await createLabelers(app.dataSource, 1);
    await earn(app.dataSource, { accountId: labeler.id, amount: TOKEN });
    await chain.fundVault(TOKEN);
    const [batch] = await servicesOf(app).builder.buildAll();
    expect(await servicesOf(app).sender.drive(batch.id)).toBe(PayoutStatus.CONFIRMED);
    const [paid] = await app.dataSource.query('SELECT block_number, block_hash FROM payout_batches WHERE id = $1', [
      batch.id,
    ]);
    await app.dataSource.query('DELETE FROM chain_identity'); // as before this check existed

    await expect(startTestApp({ shareWith: app, chain: await otherChain(chain) })).rejects.toThrow(
      `its block ${paid.block_number} is missing, but this database saw a payout or deposit in ${paid.block_hash}`,
    );
    const again = await startTestApp({ shareWith: app });
    closers.push(() => again.close());
    expect(await app.dataSource.query('SELECT anchor_block, anchor_hash FROM chain_identity')).toEqual([
      { anchor_block: paid.block_number, anchor_hash: paid.block_hash },
    ]);
  });

  it('stops sending payouts when the chain is swapped under a running service: nothing is sent, the batch stays PENDING', async () => {
    const chain = await startTestChain();
    closers.push(() => chain.close());
    const proxy = await startRpcProxy(chain.settings.rpcUrl);
    closers.push(() => proxy.close());
    const clock = movableClock();
    const app = await startTestApp({
      role: 'api',
      clock,
      chain: { ...chain.settings, rpcUrl: proxy.url },
      env: QUIET_ENV,
    });
    closers.push(() => app.close());
    const [labeler] = await createLabelers(app.dataSource, 1);
    await earn(app.dataSource, { accountId: labeler.id, amount: 3n * TOKEN });
    await chain.fundVault(3n * TOKEN);
    const { builder, sender, reconciler } = servicesOf(app);
    const [batch] = await builder.buildAll();
    const identity = app.app.get(ChainIdentityService);
    // The worker's processor, as bull would call it (its queue is only used at bootstrap).
    const processor = new PayoutsProcessor(
      builder,
      sender,
      reconciler,
      app.app.get(ChainService),
      identity,
      app.app.get(RUNTIME_CONFIG),
      null as never,
    );
    await expect(identity.assertSameChain()).resolves.toBeUndefined();

    proxy.retarget((await otherChain(chain)).rpcUrl);
    clock.advance(60);
    await expect(processor.send({ data: { batchId: batch.id } } as never)).rejects.toMatchObject({
      code: 'CHAIN_UNAVAILABLE',
    });
    await expect(processor.reconcile({ data: {} } as never)).rejects.toMatchObject({ code: 'CHAIN_UNAVAILABLE' });
    const [row] = await app.dataSource.query('SELECT status, tx_hash FROM payout_batches WHERE id = $1', [batch.id]);
    expect(row).toEqual({ status: PayoutStatus.PENDING, tx_hash: null });
    expect(await chain.provider.getTransactionCount(new Wallet(OPERATOR_KEY).address)).toBe(0);
    expect(await chain.balanceOf(labeler.address)).toBe(0n);
  });
});

// The issue this answers: `npm start`, a confirmed payout, a restart; the chain used to come back
// empty, the payout "left the chain", was re-sent, reverted and ended FAILED.
describe('the kept dev chain', () => {
  const tempDir = tempDirs('lc-kept-chain-');

  it('comes back after a restart with the payouts the database confirmed, and verify-payout still agrees', async () => {
    const stateDir = tempDir();
    const first = await startDevChain({ port: 0, stateDir });
    const contracts = await deployDevContracts({ rpcUrl: first.rpcUrl, deployerKey: DEV_KEYS[0] });
    const before = await testChainAt({ chain: first, contracts });
    const app = await startTestApp({ role: 'api', chain: before.settings, env: QUIET_ENV });
    let after: TestChain | undefined;
    let restarted: TestApp | undefined;
    try {
      const labelers = await createLabelers(app.dataSource, 2);
      for (const labeler of labelers) await earn(app.dataSource, { accountId: labeler.id, amount: 2n * TOKEN });
      await before.fundVault(4n * TOKEN);
      const [batch] = await servicesOf(app).builder.buildAll();
      expect(await servicesOf(app).sender.drive(batch.id)).toBe(PayoutStatus.CONFIRMED);
      const head = await before.provider.getBlock('latest');
      await before.close();

      const second = await startDevChain({ port: 0, stateDir });
      after = await testChainAt({ chain: second, contracts });
      expect(second.restoredCalls).toBeGreaterThan(0);
      expect((await after.provider.getBlock(head!.number))!.hash).toBe(head!.hash);
      restarted = await startTestApp({ shareWith: app, chain: after.settings });
      await servicesOf(restarted).reconciler.reconcileAll({ graceSeconds: 0 });
      const [row] = await restarted.dataSource.query('SELECT status, send_count FROM payout_batches WHERE id = $1', [
        batch.id,
      ]);
      expect(row).toEqual({ status: PayoutStatus.CONFIRMED, send_count: 1 });
      await expectReconciled(restarted.dataSource, after, labelers);
      const verified = await cli(['verify-payout', '--batch', batch.batchId, '--api', restarted.url]);
      expect(verified.out).toMatch(/^VERIFIED: /m);
      expect(verified.code).toBe(0);
    } finally {
      await restarted?.close();
      await app.close();
      await (after ?? before).close();
    }
  });
});
