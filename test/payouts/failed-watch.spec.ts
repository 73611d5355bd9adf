import { Wallet } from 'ethers';
import { contractInterface } from '../../src/chain/contracts';
import { DEV_KEYS } from '../../src/chain/dev-chain';
import { FaucetService } from '../../src/chain/faucet.service';
import { LedgerService } from '../../src/ledger/ledger.service';
import { PayoutStatus } from '../../src/payouts/payout-status';
import { OPERATOR_KEY, startTestChain } from '../chain/test-chain';
import { TOKEN, expectReconciled, labelersWithEarnings } from './payout-fixtures';
import { operatorNonce, startScenario, type Scenario } from './payout-scenario';

// Issue #11, item 4: a FAILED batch is watched inside the reorg window and reconciled, so no
// earning is ever paid twice; and a nonce of the operator key lost with a faucet transaction no
// longer blocks the payouts signed after it. Reorgs are evm_snapshot / evm_revert.

async function batchRow(
  s: Scenario,
  id: string,
): Promise<{
  status: PayoutStatus;
  raw_tx: string | null;
  tx_hash: string | null;
  max_fee_per_gas: string | null;
  released_at: Date | null;
}> {
  const [row] = await s.app.dataSource.query(
    `SELECT status, raw_tx, tx_hash, max_fee_per_gas, released_at FROM payout_batches WHERE id = $1`,
    [id],
  );
  return row;
}

describe('a FAILED batch inside the reorg window', () => {
  let s: Scenario;
  afterEach(async () => {
    await s?.close();
  });

  it('becomes CONFIRMED when a reorg re-includes its transaction successfully, and its earnings are never paid twice', async () => {
    s = await startScenario({ automine: false, confirmations: 1, env: { CHAIN_REORG_WINDOW: '10' } });
    const labelers = await labelersWithEarnings(s.app.dataSource, 2);
    await s.chain.fundVault(10n * TOKEN);
    const [batch] = await s.builder.buildAll();
    expect(await s.sender.step(batch.id)).toBe(PayoutStatus.SUBMITTED); // broadcast, in the mempool
    const beforeFork = await s.chain.snapshot();

    // On this branch the admin's pause is mined first (far higher tip): the payout reverts.
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
    expect(await s.sender.step(batch.id)).toBe(PayoutStatus.FAILED);
    // Not released: its earnings are not payable again while a reorg could still pay it.
    expect((await batchRow(s, batch.id)).released_at).toBeNull();
    expect(await s.builder.buildAll()).toEqual([]);

    // A reorg deeper than the confirmations: the other branch has the payout without the pause.
    await s.chain.revert(beforeFork);
    await s.chain.provider.broadcastTransaction((await batchRow(s, batch.id)).raw_tx!).catch(() => undefined); // already in the pool, or not
    await s.chain.mine();
    expect(await s.chain.vault.paid(batch.batchId)).toBe(true);

    await s.reconciler.reconcileAll();
    expect((await batchRow(s, batch.id)).status).toBe(PayoutStatus.CONFIRMED);
    await s.chain.mine(12);
    await s.reconciler.reconcileAll();
    expect(await batchRow(s, batch.id)).toMatchObject({ status: PayoutStatus.CONFIRMED, released_at: null });
    expect(await s.builder.buildAll()).toEqual([]);
    for (const l of labelers) {
      expect(await s.chain.balanceOf(l.address)).toBe(TOKEN);
      expect(await s.app.app.get(LedgerService).balancesOf(l.id)).toEqual({
        pending: 0n,
        available: 0n,
        inFlight: 0n,
        paid: TOKEN,
      });
    }
    await expectReconciled(s.app.dataSource, s.chain, labelers);
  });
});

describe('the operator key after a lost faucet transaction', () => {
  let s: Scenario;
  afterEach(async () => {
    await s?.close();
  });

  it('fills the nonce gap so the payout signed after it is mined, and pays once', async () => {
    const chain = await startTestChain({ automine: false });
    await chain.fundVault(10n * TOKEN);
    // The operator owns the token here, so the faucet mints with the operator key (SignerService).
    const operator = new Wallet(OPERATOR_KEY).address;
    const admin = new Wallet(DEV_KEYS[0], chain.provider);
    await admin.sendTransaction({
      to: chain.contracts.tokenAddress,
      data: contractInterface('LabelToken').encodeFunctionData('transferOwnership', [operator]),
      gasLimit: 100_000n,
    });
    await chain.mine();
    s = await startScenario({ chain });
    try {
      const labelers = await labelersWithEarnings(s.app.dataSource, 2);

      const faucetTo = Wallet.createRandom().address;
      const mintHash = await s.app.app.get(FaucetService).mint({ address: faucetTo, amount: TOKEN }); // nonce 0, pending
      const [batch] = await s.builder.buildAll();
      expect(await s.sender.step(batch.id)).toBe(PayoutStatus.SUBMITTED); // nonce 1, behind the mint
      // The node loses the mint (e.g. a restart without its mempool): nonce 0 is a hole now.
      await chain.provider.send('hardhat_dropTransaction', [mintHash]);
      await chain.mine();
      expect(await operatorNonce(s)).toBe(0);
      expect(await s.sender.step(batch.id)).toBe(PayoutStatus.SUBMITTED); // sees the gap and fills it
      await chain.mine();
      expect(await s.sender.step(batch.id)).toBe(PayoutStatus.CONFIRMED);
      expect(await operatorNonce(s)).toBe(2); // the filler and the payout
      expect(await chain.balanceOf(faucetTo)).toBe(0n); // the lost mint stays lost; nothing minted twice
      await expectReconciled(s.app.dataSource, chain, labelers);
    } finally {
      await chain.close();
    }
  });
});
