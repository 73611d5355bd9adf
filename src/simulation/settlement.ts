import { PassThrough } from 'node:stream';
import type { JsonRpcProvider, Wallet } from 'ethers';
import { runCli } from '../cli/main';
import { formatTokenAmount, parseTokenAmount } from '../common/money';
import type { ApiClient, Session } from './api-client';
import {
  gasOf,
  readAssignmentStatuses,
  readBatches,
  readDisputes,
  readEarnings,
  readResults,
  readVaultEvents,
  readWorkers,
  tokenBalance,
  type Earnings,
} from './collect';
import type { LabelerModel, SimItem } from './crowd';
import { setTimeout as pause } from 'node:timers/promises';
import type { RunLedger, SubmittedAnswer } from './ledger-of-run';
import type { SimulationOptions } from './options';
import { seededRandom } from './random';
import type { ChaosEvent, InvariantReport, ProgressSample, SimulationReport } from './report';
import {
  accuracyOf,
  disputeCounts,
  kindReports,
  labelerReports,
  majorityVote,
  overlapOf,
  round,
} from './report-builder';
import type { ChainInfo, FundedDataset } from './requester';
import { answerCountDiffs, reconcile } from './run-checks';

// The end of a run: wait until every earned token is paid and confirmed (or the wait is over),
// then read the product and the chain and check them against what the simulation did.

const STORED = new Set(['SUBMITTED', 'ACCEPTED', 'REJECTED']);
const settled = (e: Earnings) => e.pending === 0n && e.available === 0n && e.inFlight === 0n;

export async function settleAndReport(params: {
  api: ApiClient;
  provider: JsonRpcProvider;
  chain: ChainInfo;
  options: SimulationOptions;
  crowd: { items: SimItem[]; labelers: LabelerModel[]; classes: string[]; source: string };
  ledger: RunLedger;
  admin: Session;
  requester: Session;
  requesterWallet: Wallet;
  labelers: Session[];
  reviewers: Session[];
  funded: FundedDataset;
  samples: ProgressSample[];
  chaosEvents: ChaosEvent[] | null;
  waitMs: number;
  onWait: () => Promise<void>;
}): Promise<SimulationReport> {
  const { api, provider, chain, ledger, funded, admin, requester } = params;
  const decimals = chain.decimals;
  const payees = [...params.labelers, ...params.reviewers];
  const earnings = await waitUntilSettled({ ...params, payees });

  // What the product holds.
  const money = await datasetMoney(api, requester, funded.id, decimals);
  const results = await readResults(api, requester.token, funded.id);
  const workers = await readWorkers(api, requester.token, funded.id);
  const disputes = await readDisputes(api, admin.token, funded.id);
  const batches = (await readBatches(api, admin.token)).filter(
    (b) => Date.parse(b.createdAt) >= ledger.startedAt - 1000,
  );

  // Submits whose answer was lost count if the product has the assignment as submitted.
  const stored = new Set<string>();
  for (const [i, model] of params.crowd.labelers.entries()) {
    const own = [...ledger.unconfirmed].filter(([, a]) => a[0]?.labeler === model.name);
    if (own.length === 0) continue;
    const statuses = await readAssignmentStatuses(api, params.labelers[i]);
    for (const [id] of own) if (STORED.has(statuses.get(id) ?? '')) stored.add(id);
  }
  const answers: SubmittedAnswer[] = [
    ...[...ledger.confirmed.values()].flat(),
    ...[...ledger.unconfirmed].filter(([id]) => stored.has(id)).flatMap(([, a]) => a),
  ];

  // What the chain holds.
  const onChain = await Promise.all(payees.map((s) => tokenBalance(provider, chain.tokenAddress, s.address)));
  const vaultAfter = await tokenBalance(provider, chain.tokenAddress, chain.vaultAddress);
  const requesterAfter = await tokenBalance(provider, chain.tokenAddress, params.requesterWallet.address);
  const events = await readVaultEvents({ provider, vaultAddress: chain.vaultAddress, depositKey: funded.depositKey });
  let payoutGas = 0;
  for (const b of batches) payoutGas += await gasOf(provider, b.txHash);

  // Accuracy on the regular items, against the truth.
  const regular = params.crowd.items.filter((i) => !i.gold);
  const productLabels = new Map(results.map((r) => [r.externalId, r.label]));
  const mv = majorityVote(
    answers.filter((a) => ledger.refs.get(a.ref)?.gold === false),
    seededRandom(params.options.seed + 2),
  );
  const productAccuracy = accuracyOf(regular, productLabels);
  const correct = Math.round(productAccuracy * regular.length);

  // Per labeler: the product's counts and money next to the simulation's own.
  const earned = new Map<string, bigint>();
  const simCount = new Map<string, number>();
  for (const a of answers) simCount.set(a.labeler, (simCount.get(a.labeler) ?? 0) + 1);
  const serverByAccount = new Map(workers.map((w) => [w.workerId, w]));
  const blocked = new Map<string, { blocked: boolean; reason: string | null }>();
  const counts: { product: number; simulated: number }[] = [];
  for (const [i, model] of params.crowd.labelers.entries()) {
    const e = earnings[i];
    earned.set(model.name, e.paid + e.available + e.pending + e.inFlight);
    const server = serverByAccount.get(params.labelers[i].accountId);
    counts.push({ product: server?.answers ?? 0, simulated: simCount.get(model.name) ?? 0 });
    blocked.set(model.name, { blocked: server?.blocked ?? false, reason: server?.blockReason ?? null });
  }
  const { lost, duplicated } = answerCountDiffs(counts);
  const labelersReport = labelerReports({
    labelers: params.crowd.labelers,
    answers,
    refs: ledger.refs,
    earned,
    blocked,
    blockedAt: ledger.blockedAt,
    decimals,
  });

  const ledgerPaid = earnings.reduce((s, e) => s + e.paid, 0n);
  const received = onChain.reduce((s, b) => s + b, 0n);
  const refund = requesterAfter - funded.requesterBefore;
  const { vaultOutflow, budgetMinusSpent, holds } = reconcile({
    received,
    ledgerPaid,
    vaultBefore: funded.vaultBefore,
    deposited: funded.deposited,
    vaultAfter,
    refundReceived: refund,
    refundedOnChain: events.refunded,
    budget: money.budget,
    spent: money.spent,
  });
  const overpaid = onChain.filter((b, i) => b > earnings[i].paid).length;
  const doubleBatches = [...events.batchPaidCount.values()].filter((n) => n > 1).length;
  const unpaid = earnings.filter((e) => !settled(e)).length;
  const unlabeled = regular.filter((i) => productLabels.get(i.ref) === null || productLabels.get(i.ref) === undefined);
  const verifyFailures = await verifyBatches(
    api.urls[0],
    chain.rpcUrl,
    batches.filter((b) => b.status === 'CONFIRMED'),
  );
  const openDisputes = disputes.filter((d) => d.status !== 'RESOLVED').length;
  const t = (units: bigint) => formatTokenAmount(units, decimals);

  const invariants: InvariantReport[] = [
    inv(
      'lost answers',
      lost,
      `answers the product confirmed (or stored before a cut connection) but does not count: ${answers.length} submitted`,
    ),
    inv(
      'duplicate answers',
      duplicated,
      `answers the product counts beyond those submitted; ${ledger.replaysSent} double submits sent (${ledger.replaysAccepted} answered as already submitted, none counted again)`,
    ),
    inv(
      'double payments',
      doubleBatches + overpaid,
      `batches paid twice on chain: ${doubleBatches}; wallets holding more than the ledger paid them: ${overpaid}`,
    ),
    inv(
      'unpaid matured balances',
      unpaid,
      `labelers and reviewers with earnings not yet paid at the end (of ${payees.length})`,
    ),
    inv(
      'payouts failing verify-payout',
      verifyFailures,
      `confirmed batches checked against their manifest and the chain: ${batches.length}`,
    ),
    inv('items without a final label', unlabeled.length, `of ${regular.length} regular items`),
    inv('disputes left open', openDisputes, `of ${disputes.length} cases`),
    inv('spent but not paid', money.spent === ledgerPaid ? 0 : 1, `spent ${t(money.spent)}, paid ${t(ledgerPaid)}`),
  ];

  return {
    version: 1,
    startedAt: new Date(ledger.startedAt).toISOString(),
    durationSeconds: ledger.seconds(),
    options: {
      workers: params.crowd.labelers.length,
      items: regular.length,
      reviewers: params.reviewers.length,
      chaos: params.options.chaos,
      seed: params.options.seed,
      source: params.crowd.source,
      classes: params.crowd.classes,
    },
    token: { symbol: chain.symbol, decimals },
    accuracy: {
      items: regular.length,
      product: round(productAccuracy, 4),
      majorityVote: round(accuracyOf(regular, mv), 4),
      aggregation: money.aggregation,
    },
    cost: {
      budget: t(money.budget),
      spent: t(money.spent),
      refunded: t(refund),
      perCorrectLabel: correct === 0 ? null : perCorrect(money.spent, correct, decimals),
      gas: {
        deposit: funded.depositGas,
        payouts: payoutGas,
        refund: events.refundGas,
        total: funded.depositGas + payoutGas + events.refundGas,
      },
      payoutBatches: batches.length,
    },
    overlap: overlapOf(results.map((r) => r.answers)),
    kinds: kindReports(labelersReport, earned, decimals),
    labelers: labelersReport,
    disputes: disputeCounts(disputes),
    progress: params.samples,
    chaos: params.chaosEvents === null ? null : { events: params.chaosEvents },
    invariants,
    notes: [...ledger.notes].map(([what, count]) => ({ what, count })),
    reconciliation: {
      onChainReceived: t(received),
      ledgerPaid: t(ledgerPaid),
      vaultOutflow: t(vaultOutflow),
      refund: t(refund),
      budgetMinusSpent: t(budgetMinusSpent),
      holds,
    },
  };
}

/** Polls until every payee's earnings are paid, every batch is confirmed and the refund arrived, or the wait is over. */
async function waitUntilSettled(params: {
  api: ApiClient;
  provider: JsonRpcProvider;
  chain: ChainInfo;
  admin: Session;
  requester: Session;
  requesterWallet: Wallet;
  funded: FundedDataset;
  payees: Session[];
  waitMs: number;
  onWait: () => Promise<void>;
}): Promise<Earnings[]> {
  const { api, chain, funded } = params;
  const readAll = () => Promise.all(params.payees.map((s) => readEarnings(api, s, chain.decimals)));
  const deadline = Date.now() + params.waitMs;
  for (;;) {
    const earnings = await readAll();
    const batches = await readBatches(api, params.admin.token);
    const { refunded } = await datasetMoney(api, params.requester, funded.id, chain.decimals);
    const arrived =
      (await tokenBalance(params.provider, chain.tokenAddress, params.requesterWallet.address)) -
      funded.requesterBefore;
    const done = earnings.every(settled) && batches.every((b) => b.status === 'CONFIRMED') && arrived === refunded;
    if (done || Date.now() > deadline) return earnings;
    await params.onWait();
    await pause(2000);
  }
}

/** spent / correct labels, to six decimal places at most (a display figure, not money that moves). */
function perCorrect(spent: bigint, correct: number, decimals: number): string {
  const shown = Math.min(decimals, 6);
  const step = 10n ** BigInt(decimals - shown);
  return formatTokenAmount((spent / BigInt(correct) / step) * step, decimals);
}

function inv(name: string, violations: number, detail: string): InvariantReport {
  return { name, violations, detail };
}

async function datasetMoney(
  api: ApiClient,
  requester: Session,
  datasetId: string,
  decimals: number,
): Promise<{ budget: bigint; spent: bigint; refunded: bigint; aggregation: string }> {
  const { dataset } = await api.gql<{
    dataset: { budget: string; spent: string; refunded: string; aggregation: string };
  }>('query($d: ID!) { dataset(id: $d) { budget spent refunded aggregation } }', { d: datasetId }, requester.token);
  const u = (s: string) => parseTokenAmount(s, decimals);
  return {
    budget: u(dataset.budget),
    spent: u(dataset.spent),
    refunded: u(dataset.refunded),
    aggregation: dataset.aggregation,
  };
}

/** `verify-payout` (the command anyone can run) on each batch; answers how many failed. */
async function verifyBatches(apiUrl: string, rpcUrl: string, batches: readonly { batchId: string }[]): Promise<number> {
  let failed = 0;
  for (const b of batches) {
    const out = new PassThrough();
    out.resume();
    const code = await runCli(['verify-payout', '--batch', b.batchId, '--api', apiUrl, '--rpc', rpcUrl], {
      stdout: out,
      stderr: out,
    });
    if (code !== 0) failed++;
  }
  return failed;
}
