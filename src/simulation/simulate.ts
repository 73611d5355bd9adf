import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { createChainProvider } from '../chain/chain-provider';
import { ApiClient, type Session } from './api-client';
import { startChaos } from './chaos';
import { syntheticCrowd, type LabelerModel, type SimItem } from './crowd';
import { setTimeout as pause } from 'node:timers/promises';
import { runLabeler } from './labeler-agent';
import { RunLedger } from './ledger-of-run';
import type { SimulationOptions } from './options';
import { progressView } from './progress';
import { startProgressSampler } from './progress-sampler';
import { seededRandom } from './random';
import { readRealCrowd, realCrowd } from './real-crowd';
import type { ChaosEvent, SimulationReport } from './report';
import { writeReportFiles } from './report-files';
import { createAndFund, refundRest, type ChainInfo } from './requester';
import { runReviewer } from './reviewer-agent';
import { settleAndReport } from './settlement';
import { startSimulationStack, type SimulationStack } from './stack';

// `npm run simulate`: the whole product under a simulated crowd, only through its public
// interfaces. Order: stack (or --api), sign-ins, dataset funded on chain and published, the
// crowd and the reviewers at work (with --chaos breaking things meanwhile), completion, refund,
// payouts settled, then the report checked against the truth and the chain.

export interface SimulationIo {
  log(line: string): void;
  /** Where the progress bar goes. */
  progress: NodeJS.WritableStream;
}

export interface SimulationRun {
  report: SimulationReport;
  files: { json: string; html: string };
  datasetId: string;
}

export interface SimulationOverrides {
  /** PostgreSQL to use instead of an embedded one (tests). */
  databaseUrl?: string;
  appealWindowSeconds?: number;
}

const PARALLEL_SIGN_INS = 10;

export async function simulate(
  options: SimulationOptions,
  io: SimulationIo,
  overrides: SimulationOverrides = {},
): Promise<SimulationRun> {
  const random = seededRandom(options.seed);
  const crowd = options.dataset === null ? syntheticFor(options, random) : realFor(options, random);
  const stack =
    options.api === null
      ? await startSimulationStack({
          dir: options.out,
          apis: options.chaos ? 2 : 1,
          databaseUrl: overrides.databaseUrl ?? process.env.DATABASE_URL,
          redisUrl: process.env.REDIS_URL,
          log: io.log,
        })
      : null;
  try {
    return await run({ options, io, overrides, crowd, stack });
  } finally {
    await stack?.stop();
  }
}

function syntheticFor(options: SimulationOptions, random: () => number) {
  return { ...syntheticCrowd({ ...options, random }), classes: options.classes, source: 'synthetic' };
}

function realFor(options: SimulationOptions, random: () => number) {
  const paths = options.dataset as { answers: string; truth: string };
  const real = realCrowd({
    data: readRealCrowd(paths),
    workers: options.workers,
    maxItems: options.items,
    goldShare: options.goldShare,
    maxAnswersPerItem: options.maxAnswersPerItem,
    itemsPerTask: options.itemsPerTask,
    random,
  });
  return { ...real, source: paths.answers };
}

async function run(params: {
  options: SimulationOptions;
  io: SimulationIo;
  overrides: SimulationOverrides;
  crowd: { items: SimItem[]; labelers: LabelerModel[]; classes: string[]; source: string };
  stack: SimulationStack | null;
}): Promise<SimulationRun> {
  const { options, io, crowd, stack } = params;
  const api = new ApiClient(stack?.apiUrls ?? (options.api as string[]));
  const { chainInfo } = await api.gql<{ chainInfo: ChainInfo }>(
    '{ chainInfo { chainId rpcUrl tokenAddress vaultAddress decimals symbol } }',
  );
  const provider = createChainProvider(chainInfo.rpcUrl, chainInfo.chainId);
  const ledger = new RunLedger(crowd.items);
  const appealWindowSeconds = params.overrides.appealWindowSeconds ?? 30;

  io.log(`signing in an admin, a requester, ${options.reviewers} reviewers and ${crowd.labelers.length} labelers`);
  const signIn = (wallet: Wallet) => api.signIn(wallet, chainInfo.chainId);
  const admin = await signIn(stack?.admin ?? adminFromEnvironment());
  const requesterWallet = newWallet();
  const requester = await signIn(requesterWallet);
  await grant(api, admin, requester, 'REQUESTER');
  const reviewers = await inBatches(options.reviewers, async () => {
    const session = await signIn(newWallet());
    await grant(api, admin, session, 'REVIEWER');
    return session;
  });
  const labelers = await inBatches(crowd.labelers.length, () => signIn(newWallet()));

  io.log(
    `dataset: ${crowd.items.length} items (${crowd.items.filter((i) => i.gold).length} gold), funding it on chain`,
  );
  const funded = await createAndFund({
    api,
    requester,
    wallet: requesterWallet,
    chain: chainInfo,
    provider,
    options,
    items: crowd.items,
    classes: crowd.classes,
    appealWindowSeconds,
  });

  const chaosEvents: ChaosEvent[] = [];
  const sampler = startProgressSampler({
    api,
    requester,
    requesterAddress: requesterWallet.address,
    provider,
    chain: chainInfo,
    funded,
    items: crowd.items.filter((i) => !i.gold).length,
    seconds: () => ledger.seconds(),
    view: progressView({ tty: options.progress, symbol: chainInfo.symbol, out: io.progress }),
    lastFault: () => chaosEvents.at(-1)?.what ?? '',
  });
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let refundAsked = false;
  const timedOut = () => Date.now() > deadline;
  const { state } = sampler;

  let chaosStopped = false;
  const chaos =
    options.chaos && stack !== null
      ? startChaos({ stack, random: seededRandom(options.seed + 1), now: () => ledger.seconds(), events: chaosEvents })
      : null;
  try {
    const datasetFinished = () => timedOut() || state.status === 'COMPLETED' || state.status === 'CANCELLED';
    const labelerRuns = crowd.labelers.map((model, i) =>
      runLabeler({
        api,
        session: labelers[i],
        model,
        datasetId: funded.id,
        classes: crowd.classes,
        random: seededRandom(options.seed * 1000 + i),
        ledger,
        thinkMs: options.thinkMs,
        finished: datasetFinished,
      }),
    );
    const reviewerRuns = reviewers.map((session, i) =>
      runReviewer({
        api,
        session,
        name: `reviewer-${i}`,
        datasetId: funded.id,
        classes: crowd.classes,
        random: seededRandom(options.seed * 7919 + i),
        ledger,
        accuracy: 0.95,
        topUpReserve: (required) => topUpReserve(api, requester, funded.id, required, ledger),
        // Until the refund is asked for: cases still open after the labelers stopped (verdicts and
        // consensus in flight then) would hold the refund back. Stopping at the first sample that
        // showed none open let a case opened after it stay open (seen once in CI under load).
        finished: () => timedOut() || refundAsked,
      }),
    );
    await Promise.all(labelerRuns);
    io.log('');
    // Every labeler stopped (blocked, or out of unseen gold) yet the dataset is open: verdicts
    // and consensus still in flight may finish it; if not within a minute, the crowd is gone.
    const crowdWait = Date.now() + 60_000;
    while (!datasetFinished() && Date.now() < crowdWait) await pause(1000);
    if (!datasetFinished()) {
      io.log('the crowd stopped before the dataset was done: the requester cancels it to get the rest back');
      await api.gql('mutation($d: ID!) { cancelDataset(id: $d) { status } }', { d: funded.id }, requester.token);
    }

    if (!timedOut()) {
      io.log(`dataset ${state.status.toLowerCase()}; refunding the rest once the appeal window is over`);
      await refundRest({
        api,
        requester,
        datasetId: funded.id,
        decimals: chainInfo.decimals,
        waitMs: (appealWindowSeconds + 180) * 1000,
      }).catch((error: unknown) => {
        io.log(`refund: ${(error as Error).message}`);
        return 0n;
      });
    }
    refundAsked = true;
    await Promise.all(reviewerRuns);
    // Faults go on until the refund is asked for; the settlement below is the recovery.
    await chaos?.stop();
    chaosStopped = true;
    const report = await settleAndReport({
      api,
      provider,
      chain: chainInfo,
      options,
      crowd,
      ledger,
      admin,
      requester,
      requesterWallet,
      labelers,
      reviewers,
      funded,
      samples: sampler.samples,
      chaosEvents: options.chaos ? chaosEvents : null,
      waitMs: timedOut() ? 0 : 240_000,
      onWait: () => sampler.sample(),
    });
    return { report, files: writeReportFiles(report, options.out), datasetId: funded.id };
  } finally {
    refundAsked = true; // reviewers stop on an error too
    await sampler.stop();
    if (!chaosStopped) await chaos?.stop();
    provider.destroy();
  }
}

function newWallet(): Wallet {
  return new Wallet(Wallet.createRandom().privateKey);
}

// Against a running stack (--api) the simulation needs an ADMIN to grant roles: ADMIN_PRIVATE_KEY,
// else the dev ADMIN `npm start` keeps in its data dir.
function adminFromEnvironment(): Wallet {
  const fromEnv = process.env.ADMIN_PRIVATE_KEY?.trim();
  if (fromEnv) return new Wallet(fromEnv);
  const file = join(process.env.DATA_DIR ?? '.data', 'dev-admin.key');
  if (existsSync(file)) return new Wallet(readFileSync(file, 'utf8').trim());
  throw new Error(
    `--api needs an ADMIN to grant roles: set ADMIN_PRIVATE_KEY, or run from the folder of the npm start whose ${file} holds its dev ADMIN`,
  );
}

// The owner's answer to an exhausted dispute reserve: move what the decision needs from the
// budget's uncommitted part into the reserve.
async function topUpReserve(
  api: ApiClient,
  requester: Session,
  datasetId: string,
  required: string | undefined,
  ledger: RunLedger,
): Promise<void> {
  const amount = required !== undefined && Number(required) > 0 ? required : '1';
  await api
    .gql(
      'mutation($d: ID!, $n: TokenAmount!) { topUpDisputeReserve(datasetId: $d, amount: $n) { disputeReserve } }',
      { d: datasetId, n: amount },
      requester.token,
    )
    .then(
      () => ledger.note('requester topped up the dispute reserve'),
      (error: unknown) => ledger.note(`requester could not top up the dispute reserve: ${(error as Error).message}`),
    );
}

async function grant(api: ApiClient, admin: Session, who: Session, role: string): Promise<void> {
  await api.gql(
    'mutation($a: ID!, $r: Role!) { grantRole(accountId: $a, role: $r) { id } }',
    { a: who.accountId, r: role },
    admin.token,
  );
}

async function inBatches<T>(n: number, make: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += PARALLEL_SIGN_INS)
    out.push(...(await Promise.all(Array.from({ length: Math.min(PARALLEL_SIGN_INS, n - i) }, make))));
  return out;
}
