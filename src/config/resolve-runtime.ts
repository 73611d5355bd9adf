import { randomBytes } from 'node:crypto';
import { Wallet } from 'ethers';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEV_KEYS, deployDevContracts, grantDevOperator, startDevChain, type DevContracts } from '../chain/dev-chain';
import { preferredOrFreePort } from '../common/ports';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { ensureRedis } from '../queues/local-redis';
import { readTokenDecimals } from '../chain/token-decimals';
import { ConfigError, tokenTerms, type AppConfig } from './config.schema';
import { lockDataDir } from './data-dir-lock';
import { publishableRpcUrl } from './public-rpc-url';
import type { ChainSettings, RuntimeConfig } from './runtime-config';

export interface ResolvedRuntime {
  config: RuntimeConfig;
  stop(): Promise<void>;
}

type Log = (line: string) => void;
type Stops = (() => Promise<void> | void)[];

// Fills every gap the operator left with an embedded default: PostgreSQL, Redis, a dev chain
// with contracts deployed, and a JWT secret kept in the data dir. The embedded database and the
// dev chain both live in DATA_DIR and are kept together across restarts.
export async function resolveRuntime(config: AppConfig, log: Log): Promise<ResolvedRuntime> {
  const stops: Stops = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s();
  };
  try {
    if (!config.databaseUrl || !config.chainRpcUrl || !config.jwtSecret) {
      const lock = lockDataDir(config.dataDir);
      stops.push(() => lock.release());
    }
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, log });
      stops.push(() => embedded.stop());
      databaseUrl = embedded.url;
      log(`embedded PostgreSQL at ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`);
    }
    const redis = await ensureRedis({ url: config.redisUrl, dataDir: config.dataDir, log });
    stops.push(() => redis.stop());
    const chain = config.chainRpcUrl ? await externalChain(config, log) : await startDevChainFor(config, log, stops);
    const runtime: RuntimeConfig = {
      ...config,
      databaseUrl,
      jwtSecret: config.jwtSecret ?? devJwtSecret(config.dataDir),
      chain,
      ...tokenTerms(config, chain.tokenDecimals),
    };
    if (chain.isDevChain && process.env.PAYOUT_HOLD_SECONDS === undefined) runtime.payoutHoldSeconds = 0;
    if (chain.isDevChain && config.adminAddresses.length === 0 && config.nodeEnv !== 'production')
      runtime.adminAddresses = [devAdmin(config.dataDir, log)];
    return { config: runtime, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function externalChain(config: AppConfig, log: Log): Promise<ChainSettings> {
  const rpcUrl = config.chainRpcUrl as string;
  const where = { rpcUrl, chainId: config.chainId as number, tokenAddress: config.tokenAddress as string };
  const tokenDecimals = await readTokenDecimals(where).catch((error: unknown) => {
    throw new ConfigError(
      'TOKEN_ADDRESS',
      `answered no decimals() at CHAIN_RPC_URL (${(error as Error).message.split('\n')[0].slice(0, 120)})`,
    );
  });
  let publicRpcUrl = config.chainPublicRpcUrl;
  if (publicRpcUrl === null) {
    const publishable = publishableRpcUrl(rpcUrl);
    if (publishable.trimmed)
      log(
        `chainInfo.rpcUrl publishes only ${publishable.url} (CHAIN_RPC_URL may hold a key): set CHAIN_PUBLIC_RPC_URL to the URL clients should use`,
      );
    publicRpcUrl = publishable.url;
  }
  return {
    tokenDecimals,
    rpcUrl,
    publicRpcUrl,
    chainId: config.chainId as number,
    tokenAddress: config.tokenAddress as string,
    vaultAddress: config.vaultAddress as string,
    signerKey: config.payoutSignerKey as string,
    confirmations: config.chainConfirmations,
    isDevChain: config.chainIsDev,
  };
}

async function startDevChainFor(config: AppConfig, log: Log, stops: Stops): Promise<ChainSettings> {
  const stateDir = join(resolve(config.dataDir), 'chain');
  const port = await preferredOrFreePort(config.devChainPort);
  if (port !== config.devChainPort)
    log(
      `port ${config.devChainPort} is taken: the dev chain listens on ${port} instead (chainInfo.rpcUrl says so; set DEV_CHAIN_PORT to choose)`,
    );
  const chain = await startDevChain({ port, stateDir });
  stops.push(() => chain.close());
  // Dev convention: key 0 deploys (token owner, vault admin), the payout signer operates the vault.
  const signerKey = config.payoutSignerKey ?? DEV_KEYS[1];
  const deployed = await devContracts({ rpcUrl: chain.rpcUrl, stateDir, operator: new Wallet(signerKey).address });
  const kept = `, kept in ${stateDir}${chain.restoredCalls ? `, ${chain.restoredCalls} calls replayed` : ''}`;
  log(
    `dev chain at ${chain.rpcUrl} (id ${chain.chainId}${kept}); token ${deployed.tokenAddress}, vault ${deployed.vaultAddress}`,
  );
  const tokenDecimals = await readTokenDecimals({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    tokenAddress: deployed.tokenAddress,
  });
  return {
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    tokenAddress: deployed.tokenAddress,
    vaultAddress: deployed.vaultAddress,
    signerKey,
    confirmations: config.chainConfirmations,
    isDevChain: true,
    tokenDecimals,
  };
}

// The contracts are deployed once per kept chain; their addresses are written next to its journal.
async function devContracts(params: { rpcUrl: string; stateDir: string; operator: string }): Promise<DevContracts> {
  const file = join(params.stateDir, 'contracts.json');
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as DevContracts;
    if (kept.operator.toLowerCase() === params.operator.toLowerCase()) return kept;
    await grantDevOperator({ rpcUrl: params.rpcUrl, vaultAddress: kept.vaultAddress, operator: params.operator });
    const updated = { ...kept, operator: params.operator };
    writeFileSync(file, `${JSON.stringify(updated, null, 2)}\n`);
    return updated;
  }
  const deployed = await deployDevContracts({
    rpcUrl: params.rpcUrl,
    deployerKey: DEV_KEYS[0],
    operator: params.operator,
  });
  writeFileSync(file, `${JSON.stringify(deployed, null, 2)}\n`);
  return deployed;
}

// On the dev chain with no ADMIN_ADDRESSES, a dev ADMIN so a newcomer can grant themselves
// REQUESTER: a random wallet whose key is kept in the data dir (never one of the public keys, so
// nobody else who can reach the port can sign in as it).
function devAdmin(dataDir: string, log: Log): string {
  const file = join(resolve(dataDir), 'dev-admin.key');
  let key: string;
  if (existsSync(file)) {
    key = readFileSync(file, 'utf8').trim();
  } else {
    key = Wallet.createRandom().privateKey;
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
  }
  const address = new Wallet(key).address;
  log(
    `dev ADMIN ${address} (ADMIN_ADDRESSES is empty): sign in as it with PRIVATE_KEY=$(cat ${file}) node examples/sign-in.mjs`,
  );
  return address.toLowerCase();
}

function devJwtSecret(dataDir: string): string {
  const file = join(resolve(dataDir), 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(dataDir), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
