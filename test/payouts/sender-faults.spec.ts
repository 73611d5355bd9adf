import { Wallet } from 'ethers';
import { DEV_KEYS } from '../../src/chain/dev-chain';
import { LedgerService } from '../../src/ledger/ledger.service';
import { PayoutStatus } from '../../src/payouts/payout-status';
import { startRpcProxy } from '../chain/rpc-proxy';
import { startTestChain } from '../chain/test-chain';
import { TOKEN, expectReconciled, labelersWithEarnings } from './payout-fixtures';
import { operatorNonce, startScenario, type Scenario } from './payout-scenario';

async function batchRow(
  s: Scenario,
  id: string,
): Promise<{
  status: PayoutStatus;
  tx_hash: string | null;
  nonce: string | null;
  send_count: number;
  failure_reason: string | null;
  last_error: string | null;
  max_fee_per_gas: string | null;
}> {
  const [row] = await s.app.dataSource.query(
    `SELECT status, tx_hash, nonce, send_count, failure_reason, last_error, max_fee_per_gas FROM payout_batches WHERE id = $1`,
    [id],
  );
  return row;
}

describe('payout sender under faults', () => {
  let s: Scenario;
  afterEach(async () => {
    await s?.close();
  });

  it('fails a batch the vault refuses (paused), reverses the debits, and pays the earnings in a later batch', async () => {
    s = await startScenario();
    const labelers = await labelersWithEarnings(s.app.dataSource, 3);
    await s.chain.fundVault(10n * TOKEN);
    await s.chain.pauseVault();
    const [batch] = await s.builder.buildAll();
    expect(await s.sender.step(batch.id)).toBe(PayoutStatus.FAILED);
    expect((await batchRow(s, batch.id)).failure_reason).toContain('EnforcedPause');
    const reversals = await s.app.dataSource.query(
      `SELECT account_id, amount FROM ledger_entries WHERE kind = 'PAYOUT_REVERSAL' AND payout_batch_id = $1`,
      [batch.id],
    );
    expect(reversals).toHaveLength(3);
    const ledger = s.app.app.get(LedgerService);
    expect(await ledger.balancesOf(labelers[0].id)).toEqual({ pending: 0n, available: TOKEN, inFlight: 0n, paid: 0n });

    await s.chain.unpauseVault();
    const [retry] = await s.builder.buildAll();
    expect(retry.id).not.toBe(batch.id);
    expect(retry.total).toBe(3n * TOKEN);
    expect(await s.sender.drive(retry.id)).toBe(PayoutStatus.CONFIRMED);
    expect(await ledger.balancesOf(labelers[0].id)).toEqual({ pending: 0n, available: 0n, inFlight: 0n, paid: TOKEN });
    await expectReconciled(s.app.dataSource, s.chain, labelers);
  });

  it('fails a batch whose mined transaction reverted once it has the confirmations, and gives its debits back once the failure is older than the reorg window', async () => {
    s = await startScenario({ automine: false, confirmations: 2, env: { CHAIN_REORG_WINDOW: '4' } });
    const labelers = await labelersWithEarnings(s.app.dataSource, 2);
    await s.chain.fundVault(10n * TOKEN);
    const [batch] = await s.builder.buildAll();
    expect(await s.sender.step(batch.id)).toBe(PayoutStatus.SUBMITTED); // signed and broadcast, not mined
    // The admin's pause pays a far higher tip, so it is mined first: the payout then reverts.
    const fee = BigInt((await batchRow(s, batch.id)).max_fee_per_gas!);
    const admin = new Wallet(DEV_KEYS[0], s.chain.provider);
    await admin.sendTransaction({
      to: s.chain.contracts.vaultAddress,
      data: s.chain.vault.interface.encodeFunctionData('pause'),
      maxFeePerGas: fee * 10n,
      maxPriorityFeePerGas: fee * 5n,
      gasLimit: 100_000n,
    });
    await s.chain.mine();
    const receipt = await s.chain.provider.getTransactionReceipt((await batchRow(s, batch.id)).tx_hash!);
    expect(receipt?.status).toBe(0);
    expect(await s.sender.step(batch.id)).toBe(PayoutStatus.SUBMITTED); // 1 confirmation of 2: a reorg could still undo the revert
    await s.chain.mine();
    expect(await s.sender.step(batch.id)).toBe(PayoutStatus.FAILED);
    expect((await batchRow(s, batch.id)).failure_reason).toBe('transaction reverted');
    // Inside the reorg window a deeper reorg could still pay it: the debits stay, shown in flight.
    const ledger = s.app.app.get(LedgerService);
    expect(await ledger.balancesOf(labelers[0].id)).toEqual({ pending: 0n, available: 0n, inFlight: TOKEN, paid: 0n });
    expect(await s.builder.buildAll()).toEqual([]);
    await s.chain.mine(4);
    await s.reconciler.reconcileAll();
    expect(await ledger.balancesOf(labelers[0].id)).toEqual({ pending: 0n, available: TOKEN, inFlight: 0n, paid: 0n });
    await expectReconciled(s.app.dataSource, s.chain, labelers);
  });

  it('keeps a batch PENDING while the vault lacks the tokens, and pays it once funded', async () => {
    s = await startScenario();
    const labelers = await labelersWithEarnings(s.app.dataSource, 2);
    const [batch] = await s.builder.buildAll();
    expect(await s.sender.step(batch.id)).toBe(PayoutStatus.PENDING);
    expect((await batchRow(s, batch.id)).last_error).toMatch(/vault holds 0/);
    await s.chain.fundVault(2n * TOKEN);
    expect(await s.sender.drive(batch.id)).toBe(PayoutStatus.CONFIRMED);
    await expectReconciled(s.app.dataSource, s.chain, labelers);
  });

  it('survives an unreachable chain: nothing is lost, the stored transaction is sent again, paid once', async () => {
    const chain = await startTestChain();
    const proxy = await startRpcProxy(chain.settings.rpcUrl);
    try {
      s = await startScenario({ chain, rpcUrl: proxy.url });
      const labelers = await labelersWithEarnings(s.app.dataSource, 3);
      await chain.fundVault(10n * TOKEN);
      const [batch] = await s.builder.buildAll();

      proxy.cut();
      await expect(s.sender.step(batch.id)).rejects.toThrow();
      expect((await batchRow(s, batch.id)).status).toBe(PayoutStatus.PENDING);

      // The node is reachable but the transaction never arrives: it was stored first.
      proxy.restore();
      proxy.cut(['eth_sendRawTransaction']);
      await expect(s.sender.step(batch.id)).rejects.toThrow();
      const stored = await batchRow(s, batch.id);
      expect(stored.status).toBe(PayoutStatus.SUBMITTED);
      expect(await chain.provider.getTransaction(stored.tx_hash!)).toBeNull();

      proxy.restore();
      const result = await s.reconciler.reconcileAll();
      expect(result.errors).toBe(0);
      await s.reconciler.reconcileAll();
      const done = await batchRow(s, batch.id);
      expect(done).toMatchObject({
        status: PayoutStatus.CONFIRMED,
        tx_hash: stored.tx_hash,
        nonce: stored.nonce,
        send_count: 1,
      });
      expect(await operatorNonce(s)).toBe(1);
      await expectReconciled(s.app.dataSource, chain, labelers);
    } finally {
      await proxy.close();
      await chain.close();
    }
  });

  it('re-sends a confirmed batch whose block was reorged away, under the same batch id, and it is paid once', async () => {
    s = await startScenario();
    const labelers = await labelersWithEarnings(s.app.dataSource, 4);
    await s.chain.fundVault(10n * TOKEN);
    const snapshot = await s.chain.snapshot();
    const [batch] = await s.builder.buildAll();
    expect(await s.sender.drive(batch.id)).toBe(PayoutStatus.CONFIRMED);
    const first = await batchRow(s, batch.id);
    expect(await s.chain.balanceOf(labelers[0].address)).toBe(TOKEN);

    await s.chain.revert(snapshot); // the block with the payout is gone
    expect(await s.chain.vault.paid(batch.batchId)).toBe(false);
    expect(await s.chain.balanceOf(labelers[0].address)).toBe(0n);
    await s.reconciler.reconcileAll(); // sees the reorg, re-broadcasts the stored transaction
    await s.reconciler.reconcileAll(); // confirms it
    const again = await batchRow(s, batch.id);
    expect(again).toMatchObject({ status: PayoutStatus.CONFIRMED, tx_hash: first.tx_hash, nonce: first.nonce });
    expect(await s.chain.vault.paid(batch.batchId)).toBe(true);
    await expectReconciled(s.app.dataSource, s.chain, labelers);
    const [{ n }] = await s.app.dataSource.query(
      `SELECT count(*)::int AS n FROM ledger_entries WHERE kind = 'PAYOUT' AND payout_batch_id = $1`,
      [batch.id],
    );
    expect(n).toBe(4);
  });

  it('replaces a transaction stuck past the timeout with the same nonce and higher fees (automine off)', async () => {
    s = await startScenario({ automine: false });
    const labelers = await labelersWithEarnings(s.app.dataSource, 3);
    await s.chain.fundVault(10n * TOKEN);
    const [batch] = await s.builder.buildAll();
    expect(await s.sender.step(batch.id)).toBe(PayoutStatus.SUBMITTED);
    const stuck = await batchRow(s, batch.id);
    expect(await s.sender.step(batch.id)).toBe(PayoutStatus.SUBMITTED);
    expect((await batchRow(s, batch.id)).tx_hash).toBe(stuck.tx_hash); // within the timeout: left alone

    s.clock.advance(61);
    await s.sender.step(batch.id);
    const replaced = await batchRow(s, batch.id);
    expect(replaced.tx_hash).toMatch(/^0x[0-9a-f]{64}$/); // a replacement, not a missing hash
    expect(replaced.tx_hash).not.toBe(stuck.tx_hash);
    expect(replaced.nonce).toBe(stuck.nonce);
    expect(BigInt(replaced.max_fee_per_gas!)).toBeGreaterThan(BigInt(stuck.max_fee_per_gas!));

    await s.chain.mine();
    expect(await s.sender.step(batch.id)).toBe(PayoutStatus.CONFIRMED);
    expect((await batchRow(s, batch.id)).tx_hash).toBe(replaced.tx_hash);
    expect(await s.chain.provider.getTransactionReceipt(stuck.tx_hash!)).toBeNull();
    expect(await operatorNonce(s)).toBe(1);
    await expectReconciled(s.app.dataSource, s.chain, labelers);
  });
});
