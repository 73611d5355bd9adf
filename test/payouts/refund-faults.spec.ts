import { randomBytes } from 'node:crypto';
import { Wallet } from 'ethers';
import { Role } from '../../src/auth/role';
import type { Principal } from '../../src/auth/current-account';
import { DepositWatcherService } from '../../src/chain/deposit-watcher.service';
import { contractInterface } from '../../src/chain/contracts';
import { recordSpend } from '../../src/datasets/dataset-funds';
import { DatasetRefundService } from '../../src/datasets/dataset-refund.service';
import { depositKeyOf } from '../../src/datasets/datasets.service';
import { PayoutStatus } from '../../src/payouts/payout-status';
import { startRpcProxy } from '../chain/rpc-proxy';
import { OPERATOR_KEY, startTestChain } from '../chain/test-chain';
import { TOKEN } from './payout-fixtures';
import { startScenario, type Scenario } from './payout-scenario';
import { runUntilExitOrDone, startWorker } from './worker-process';

// A refund is sent by the payout sender, so it has the guarantees of a payout batch: signed
// transaction stored before broadcast, refund id replay-guarded by the vault, recovered after
// kill -9 and RPC loss, re-sent after a reorg, refundable again if it fails. Each proven here.

interface Ended {
  datasetId: string;
  owner: Principal;
}

/** A COMPLETED dataset funded by an on-chain deposit of `deposit`, of which `spent` was spent. */
async function endedDataset(s: Scenario, params: { deposit: bigint; spent: bigint }): Promise<Ended> {
  const address = Wallet.createRandom().address.toLowerCase();
  const [owner] = await s.app.dataSource.query(
    `INSERT INTO accounts (address, roles) VALUES ($1, '{REQUESTER}') RETURNING id`,
    [address],
  );
  const [dataset] = await s.app.dataSource.query(
    `INSERT INTO datasets (owner_id, name, label_schema, answers_per_item, max_answers_per_item, items_per_task, reward_per_answer, status, spent, deposit_key)
     VALUES ($1, 'refund', '{"kind":"FREE_TEXT"}', 1, 1, 1, 1, 'COMPLETED', $2, $3) RETURNING id`,
    [owner.id, params.spent.toString(), `0x${randomBytes(32).toString('hex')}`],
  );
  // The deposit key is derived from the id: fund it on chain and let the watcher credit it.
  await s.app.dataSource.query(`UPDATE datasets SET deposit_key = $2 WHERE id = $1`, [
    dataset.id,
    depositKeyOf(dataset.id),
  ]);
  await s.chain.deposit(depositKeyOf(dataset.id), params.deposit);
  await s.app.app.get(DepositWatcherService).scan();
  return { datasetId: dataset.id, owner: { id: owner.id, address, roles: [Role.LABELER, Role.REQUESTER], via: 'jwt' } };
}

async function refundRow(
  s: Scenario,
  datasetId: string,
): Promise<{
  id: string;
  status: PayoutStatus;
  tx_hash: string | null;
  nonce: string | null;
  raw_tx: string | null;
  send_count: number;
  total: string;
}> {
  const [row] = await s.app.dataSource.query(
    `SELECT id, status, tx_hash, nonce, raw_tx, send_count, total FROM payout_batches WHERE kind = 'REFUND' AND dataset_id = $1 ORDER BY created_at DESC LIMIT 1`,
    [datasetId],
  );
  return row;
}

async function refundedEvents(s: Scenario): Promise<bigint[]> {
  const iface = contractInterface('PayoutVault');
  const logs = await s.chain.provider.getLogs({
    address: s.chain.settings.vaultAddress,
    topics: [iface.getEvent('Refunded')!.topicHash],
    fromBlock: 0,
    toBlock: 'latest',
  });
  return logs.map((log) => BigInt(iface.parseLog(log)!.args.amount));
}

const datasetMoney = async (s: Scenario, id: string): Promise<{ refunded: string }> =>
  (await s.app.dataSource.query('SELECT refunded::text FROM datasets WHERE id = $1', [id]))[0];

describe('refunds under faults', () => {
  let s: Scenario;
  afterEach(async () => {
    await s?.close();
  });

  it('stores the signed refund before broadcasting, survives an unreachable chain and sends it once', async () => {
    const chain = await startTestChain();
    const proxy = await startRpcProxy(chain.settings.rpcUrl);
    try {
      s = await startScenario({ chain, rpcUrl: proxy.url });
      const { datasetId, owner } = await endedDataset(s, { deposit: 5n * TOKEN, spent: 2n * TOKEN });
      await s.app.app.get(DatasetRefundService).refund(owner, datasetId);
      const { id } = await refundRow(s, datasetId);

      proxy.cut(['eth_sendRawTransaction']);
      await expect(s.sender.step(id)).rejects.toThrow();
      const stored = await refundRow(s, datasetId);
      expect(stored).toMatchObject({ status: PayoutStatus.SUBMITTED, raw_tx: expect.stringMatching(/^0x/) });
      expect(await chain.provider.getTransaction(stored.tx_hash!)).toBeNull();

      proxy.restore();
      await s.reconciler.reconcileAll();
      await s.reconciler.reconcileAll();
      expect(await refundRow(s, datasetId)).toMatchObject({
        status: PayoutStatus.CONFIRMED,
        tx_hash: stored.tx_hash,
        nonce: stored.nonce,
        send_count: 1,
      });
      expect(await chain.balanceOf(owner.address)).toBe(3n * TOKEN);
      expect(await refundedEvents(s)).toEqual([3n * TOKEN]);
    } finally {
      await proxy.close();
      await chain.close();
    }
  });

  it('re-sends a confirmed refund whose block was reorged away, under the same refund id, and it pays once', async () => {
    s = await startScenario();
    const { datasetId, owner } = await endedDataset(s, { deposit: 4n * TOKEN, spent: TOKEN });
    const snapshot = await s.chain.snapshot();
    await s.app.app.get(DatasetRefundService).refund(owner, datasetId);
    const { id } = await refundRow(s, datasetId);
    expect(await s.sender.drive(id)).toBe(PayoutStatus.CONFIRMED);
    const first = await refundRow(s, datasetId);

    await s.chain.revert(snapshot); // the refund's block is gone (the deposit's stays)
    expect(
      await s.chain.vault.refunded(
        (await s.app.dataSource.query('SELECT batch_id FROM payout_batches WHERE id = $1', [id]))[0].batch_id,
      ),
    ).toBe(false);
    expect(await s.chain.balanceOf(owner.address)).toBe(0n);
    await s.reconciler.reconcileAll(); // sees the reorg, re-broadcasts the stored transaction
    await s.reconciler.reconcileAll(); // confirms it
    expect(await refundRow(s, datasetId)).toMatchObject({
      status: PayoutStatus.CONFIRMED,
      tx_hash: first.tx_hash,
      nonce: first.nonce,
    });
    expect(await s.chain.balanceOf(owner.address)).toBe(3n * TOKEN);
    expect(await refundedEvents(s)).toEqual([3n * TOKEN]);
  });

  it('makes a failed refund refundable again, and the next refund pays it under a new refund id', async () => {
    s = await startScenario();
    const { datasetId, owner } = await endedDataset(s, { deposit: 2n * TOKEN, spent: 0n });
    const refunds = s.app.app.get(DatasetRefundService);
    await s.chain.pauseVault();
    await refunds.refund(owner, datasetId);
    expect(await datasetMoney(s, datasetId)).toEqual({ refunded: (2n * TOKEN).toString() });
    const failed = await refundRow(s, datasetId);
    expect(await s.sender.step(failed.id)).toBe(PayoutStatus.FAILED);
    expect(await datasetMoney(s, datasetId)).toEqual({ refunded: '0' });
    const [audit] = await s.app.dataSource.query(
      `SELECT data FROM audit_events WHERE action = 'dataset.refund-failed' AND subject = $1`,
      [`dataset:${datasetId}`],
    );
    expect(audit.data).toMatchObject({ payoutBatchId: failed.id, amount: (2n * TOKEN).toString() });

    await s.chain.unpauseVault();
    await refunds.refund(owner, datasetId);
    const retry = await refundRow(s, datasetId);
    expect(retry.id).not.toBe(failed.id);
    expect(await s.sender.drive(retry.id)).toBe(PayoutStatus.CONFIRMED);
    expect(await s.chain.balanceOf(owner.address)).toBe(2n * TOKEN);
    expect(await refundedEvents(s)).toEqual([2n * TOKEN]);
  });

  it('waits for a verdict still being written, then refunds exactly what it left unspent', async () => {
    s = await startScenario();
    const { datasetId, owner } = await endedDataset(s, { deposit: 4n * TOKEN, spent: 0n });
    // One submission of 2 answers at 1 token waits for its verdict; the dataset committed its price.
    await s.app.dataSource.query(`UPDATE datasets SET reward_per_answer = $2, committed = $3 WHERE id = $1`, [
      datasetId,
      TOKEN.toString(),
      (2n * TOKEN).toString(),
    ]);
    const [assignment] = await s.app.dataSource.query(
      `INSERT INTO assignments (task_id, dataset_id, worker_id, item_ids, status, expires_at, submitted_at) VALUES (gen_random_uuid(), $1, $2, ARRAY[gen_random_uuid(), gen_random_uuid()], 'SUBMITTED', now(), now()) RETURNING id`,
      [datasetId, owner.id],
    );
    const refunds = s.app.app.get(DatasetRefundService);
    await expect(refunds.refund(owner, datasetId)).rejects.toMatchObject({ code: 'REFUND_NOT_READY' });
    // The verdict's transaction (ACCEPTED, its price spent) is open while the owner asks again.
    const runner = s.app.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query(`UPDATE assignments SET status = 'ACCEPTED', verdict_at = now() WHERE id = $1`, [assignment.id]);
    await recordSpend(runner.manager, { datasetId, assignmentId: assignment.id, amount: 2n * TOKEN });
    await expect(refunds.refund(owner, datasetId)).rejects.toMatchObject({ code: 'REFUND_NOT_READY' });
    await runner.commitTransaction();
    await runner.release();
    const refunded = await refunds.refund(owner, datasetId);
    expect(refunded.funding).toMatchObject({ spent: 2n * TOKEN, committed: 0n, refunded: 2n * TOKEN });
    expect(await s.sender.drive((await refundRow(s, datasetId)).id)).toBe(PayoutStatus.CONFIRMED);
    expect(await s.chain.balanceOf(owner.address)).toBe(2n * TOKEN);
  });

  it('pays a refund exactly once across a worker killed right before and right after broadcast', async () => {
    s = await startScenario();
    const { datasetId, owner } = await endedDataset(s, { deposit: 6n * TOKEN, spent: TOKEN });
    await s.app.app.get(DatasetRefundService).refund(owner, datasetId);
    const confirmed = async (): Promise<boolean> => (await refundRow(s, datasetId)).status === PayoutStatus.CONFIRMED;
    for (const fault of [{ FAULT_KILL_BEFORE_BROADCAST: '1' }, { FAULT_KILL_AFTER_BROADCAST: '1' }] as Record<
      string,
      string
    >[]) {
      const worker = startWorker(s, fault);
      const result = await runUntilExitOrDone(worker, confirmed);
      expect({ result, output: result === 'SIGKILL' ? '' : worker.output() }).toEqual({
        result: 'SIGKILL',
        output: '',
      });
    }
    expect(await runUntilExitOrDone(startWorker(s, {}), confirmed)).toBe('done');
    expect(await s.chain.balanceOf(owner.address)).toBe(5n * TOKEN);
    expect(await refundedEvents(s)).toEqual([5n * TOKEN]);
    // One transaction of the operator in all: the stored one, broadcast by the second life.
    expect(await s.chain.provider.getTransactionCount(new Wallet(OPERATOR_KEY).address, 'latest')).toBe(1);
  }, 120_000);
});
