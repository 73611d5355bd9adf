import { Wallet } from 'ethers';
import { OPERATOR_KEY } from '../chain/test-chain';
import { TOKEN, createLabelers, earn, expectReconciled, statusesOf, type Labeler } from './payout-fixtures';
import { startScenario, type Scenario } from './payout-scenario';
import { runUntilExitOrDone as runUntil, startWorker, type WorkerProcess } from './worker-process';

/** Until the worker exits, or every batch is CONFIRMED. */
const runUntilExitOrDone = (s: Scenario, worker: WorkerProcess, batches: number) =>
  runUntil(worker, async () => (await statusesOf(s.app.dataSource)).CONFIRMED === batches);

describe('payouts survive a worker SIGKILLed in the middle of sending', () => {
  let s: Scenario;
  let labelers: Labeler[];
  jest.setTimeout(240_000);

  beforeAll(async () => {
    s = await startScenario({ env: { PAYOUT_MAX_RECIPIENTS: '3' } });
    labelers = await createLabelers(s.app.dataSource, 12);
    for (const [i, l] of labelers.entries())
      await earn(s.app.dataSource, { accountId: l.id, amount: TOKEN + BigInt(i) });
    await s.chain.fundVault(100n * TOKEN);
  });
  afterAll(() => s.close());

  it('pays every labeler exactly once across repeated kills right before and right after broadcast', async () => {
    const batches = await s.builder.buildAll(); // 12 recipients, 3 a batch
    expect(batches).toHaveLength(4);
    const kills: string[] = [];
    // Two lives die after storing a signed transaction but before it leaves the process...
    for (let life = 0; life < 2; life++) {
      const worker = startWorker(s, { FAULT_KILL_BEFORE_BROADCAST: '1' });
      const result = await runUntilExitOrDone(s, worker, batches.length);
      expect({ result, output: result === 'SIGKILL' ? '' : worker.output() }).toEqual({
        result: 'SIGKILL',
        output: '',
      });
      kills.push('before-broadcast');
    }
    // Each life signs one batch and dies. Which one the second life takes depends on which of its
    // jobs runs first (resuming the stored transaction or sending the next batch), so one or two
    // batches hold a signed transaction now; none was broadcast and none got lost.
    const statuses = await statusesOf(s.app.dataSource);
    expect(Object.keys(statuses).sort()).toEqual(['PENDING', 'SUBMITTED']);
    expect([1, 2]).toContain(statuses.SUBMITTED);
    expect(statuses.SUBMITTED + statuses.PENDING).toBe(4);
    // ...then lives die right after each broadcast, before recording anything about it.
    for (let life = 0; life < 12; life++) {
      const worker = startWorker(s, { FAULT_KILL_AFTER_BROADCAST: '1' });
      const result = await runUntilExitOrDone(s, worker, batches.length);
      if (result === 'done') break;
      expect({ result, output: result === 'SIGKILL' ? '' : worker.output() }).toEqual({
        result: 'SIGKILL',
        output: '',
      });
      kills.push('after-broadcast');
    }
    // A last, healthy life finishes whatever the kills left.
    if ((await statusesOf(s.app.dataSource)).CONFIRMED !== batches.length) {
      expect(await runUntilExitOrDone(s, startWorker(s, {}), batches.length)).toBe('done');
    }
    expect(kills.length).toBeGreaterThanOrEqual(5);
    expect(await statusesOf(s.app.dataSource)).toEqual({ CONFIRMED: 4 });
    // No double pay (the vault refuses a replayed batch id; one transaction per batch) ...
    expect(await s.chain.provider.getTransactionCount(new Wallet(OPERATOR_KEY).address, 'latest')).toBe(4);
    // ... and no lost pay: every balance equals the ledger.
    for (const [i, l] of labelers.entries()) expect(await s.chain.balanceOf(l.address)).toBe(TOKEN + BigInt(i));
    await expectReconciled(s.app.dataSource, s.chain, labelers);
  });
});
