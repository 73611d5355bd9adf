import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Wallet } from 'ethers';
import { DEV_KEYS, deployDevContracts, startDevChain, type DevChain } from '../chain/dev-chain';
import { freePort } from '../common/ports';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { ensureRedis } from '../queues/local-redis';
import { serviceProcess, type ServiceProcess } from './processes';
import { startRpcProxy, type RpcProxy } from './rpc-proxy';

// The stack a simulation starts for itself: PostgreSQL (embedded, or DATABASE_URL), Redis, a dev
// chain in this process with the contracts deployed, a relay in front of its RPC, then the
// service as separate processes — one worker and one or two API processes — so chaos can kill
// any of them without taking the database, the queue or the chain along.

export interface SimulationStack {
  apiUrls: string[];
  apis: ServiceProcess[];
  worker: ServiceProcess;
  chain: DevChain;
  rpc: RpcProxy;
  admin: Wallet;
  stop(): Promise<void>;
}

/** Service settings that make a few minutes hold a whole dataset's life: verdicts, payouts, appeals. */
export const SIMULATION_SERVICE_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  SIWE_DOMAIN: '127.0.0.1',
  SIGN_IN_RATE_LIMIT: '100000',
  VERDICT_MAX_DELAY_SECONDS: '5',
  VERDICT_INTERVAL_SECONDS: '2',
  DISPUTE_SCAN_SECONDS: '2',
  DISPUTE_LEASE_SECONDS: '60',
  DEPOSIT_POLL_SECONDS: '1',
  PAYOUT_HOLD_SECONDS: '0',
  PAYOUT_INTERVAL_SECONDS: '3',
  PAYOUT_RECONCILE_SECONDS: '1',
  PAYOUT_TX_TIMEOUT_SECONDS: '10',
  PAYOUT_MIN_AMOUNT: '0.000001',
  CHAIN_CONFIRMATIONS: '2',
  PRINCIPAL_CACHE_MS: '1000',
};

export async function startSimulationStack(params: {
  dir: string;
  apis: number;
  databaseUrl?: string;
  redisUrl?: string;
  log: (line: string) => void;
}): Promise<SimulationStack> {
  const dir = resolve(params.dir);
  mkdirSync(dir, { recursive: true });
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s();
  };
  try {
    let databaseUrl = params.databaseUrl;
    if (databaseUrl === undefined) {
      const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'stack'), log: params.log });
      stops.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    const redisUrl = params.redisUrl ?? 'redis://127.0.0.1:6379';
    const redis = await ensureRedis({ url: redisUrl, dataDir: join(dir, 'stack'), log: params.log });
    stops.push(() => redis.stop());

    const chain = await startDevChain({});
    stops.push(() => chain.close());
    const contracts = await deployDevContracts({ rpcUrl: chain.rpcUrl, deployerKey: DEV_KEYS[0] });
    // A block a second besides one per transaction, as on a real chain: confirmations keep
    // coming when nobody sends anything, and a reorg has recent blocks to drop.
    await chain.provider.request({ method: 'evm_setIntervalMining', params: [1000] });
    const rpc = await startRpcProxy(chain.rpcUrl);
    stops.push(() => rpc.close());

    const admin = new Wallet(Wallet.createRandom().privateKey);
    const env: Record<string, string> = {
      ...SIMULATION_SERVICE_ENV,
      DATA_DIR: join(dir, 'stack'),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      // Its own queues: other stacks on the same Redis never take its jobs.
      QUEUE_PREFIX: `sim-${randomBytes(4).toString('hex')}`,
      CHAIN_RPC_URL: rpc.url,
      CHAIN_PUBLIC_RPC_URL: chain.rpcUrl,
      CHAIN_ID: String(chain.chainId),
      CHAIN_IS_DEV: 'true',
      CHAIN_START_BLOCK: String(contracts.deployBlock),
      TOKEN_ADDRESS: contracts.tokenAddress,
      VAULT_ADDRESS: contracts.vaultAddress,
      PAYOUT_SIGNER_KEY: DEV_KEYS[1],
      JWT_SECRET: randomBytes(32).toString('hex'),
      ADMIN_ADDRESSES: admin.address,
    };
    const logDir = join(dir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const spawnRole = async (name: string, role: string, migrate: boolean): Promise<ServiceProcess> => {
      const proc = serviceProcess({
        name,
        port: await freePort(),
        env: { ...env, ROLE: role, DB_MIGRATE_ON_BOOT: String(migrate) },
        logDir,
      });
      stops.push(() => proc.stop());
      await proc.start();
      return proc;
    };
    // The first process migrates; the others start on the migrated database.
    const apis = [await spawnRole('api-1', 'api', true)];
    const started = await Promise.all([
      spawnRole('worker', 'worker', false),
      ...Array.from({ length: params.apis - 1 }, (_, i) => spawnRole(`api-${i + 2}`, 'api', false)),
    ]);
    const [worker, ...moreApis] = started;
    apis.push(...moreApis);
    return { apiUrls: apis.map((a) => a.url), apis, worker, chain, rpc, admin, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
