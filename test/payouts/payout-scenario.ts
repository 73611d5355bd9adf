// One dev chain + one app (role api: no background jobs, the test drives every step) with a
// clock the test moves. For the fault tests of the payout sender.
import type { Clock } from '../../src/common/clock';
import { BatchBuilderService } from '../../src/payouts/batch-builder.service';
import { PayoutReconcilerService } from '../../src/payouts/payout-reconciler.service';
import { PayoutSenderService } from '../../src/payouts/payout-sender.service';
import { Wallet } from 'ethers';
import { OPERATOR_KEY, startTestChain, type TestChain } from '../chain/test-chain';
import { startTestApp, type TestApp } from '../support/test-app';

export interface MovableClock extends Clock {
  advance(seconds: number): void;
}

export function movableClock(): MovableClock {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (seconds) => void (offset += seconds * 1000) };
}

export interface Scenario {
  chain: TestChain;
  app: TestApp;
  clock: MovableClock;
  builder: BatchBuilderService;
  sender: PayoutSenderService;
  reconciler: PayoutReconcilerService;
  close(): Promise<void>;
}

export const QUIET_ENV = {
  PAYOUT_INTERVAL_SECONDS: '0',
  PAYOUT_RECONCILE_SECONDS: '0',
  DEPOSIT_POLL_SECONDS: '0',
  PAYOUT_TX_TIMEOUT_SECONDS: '60',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
};

export function servicesOf(app: TestApp): Pick<Scenario, 'builder' | 'sender' | 'reconciler'> {
  return {
    builder: app.app.get(BatchBuilderService),
    sender: app.app.get(PayoutSenderService),
    reconciler: app.app.get(PayoutReconcilerService),
  };
}

export async function startScenario(
  options: {
    automine?: boolean;
    confirmations?: number;
    env?: Record<string, string>;
    rpcUrl?: string;
    chain?: TestChain;
  } = {},
): Promise<Scenario> {
  const chain =
    options.chain ?? (await startTestChain({ automine: options.automine, confirmations: options.confirmations }));
  const clock = movableClock();
  const app = await startTestApp({
    role: 'api',
    clock,
    chain: { ...chain.settings, rpcUrl: options.rpcUrl ?? chain.settings.rpcUrl },
    env: { ...QUIET_ENV, ...options.env },
  });
  return {
    chain,
    app,
    clock,
    ...servicesOf(app),
    close: async () => {
      await app.close();
      if (!options.chain) await chain.close();
    },
  };
}

/** Transactions the vault operator has had mined (its next nonce). */
export function operatorNonce(s: Scenario): Promise<number> {
  return s.chain.provider.getTransactionCount(new Wallet(OPERATOR_KEY).address, 'latest');
}
