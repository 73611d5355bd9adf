import { randomBytes } from 'node:crypto';
import { Wallet } from 'ethers';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEV_KEYS, deployDevContracts, startDevChain } from '../chain/dev-chain';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { ensureRedis } from '../queues/local-redis';
import { readTokenDecimals } from '../chain/token-decimals';
import { ConfigError, tokenTerms, type AppConfig } from './config.schema';
import type { ChainSettings, RuntimeConfig } from './runtime-config';

export interface ResolvedRuntime {
  config: RuntimeConfig;
  stop(): Promise<void>;
}

// Fills every gap the operator left with an embedded default: PostgreSQL, Redis, a dev chain
// with contracts deployed, and a JWT secret kept in the data dir.
export async function resolveRuntime(config: AppConfig, log: (line: string) => void): Promise<ResolvedRuntime> {
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s();
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, log });
      stops.push(() => embedded.stop());
      databaseUrl = embedded.url;
      log(`embedded PostgreSQL at ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`);
    }
    const redis = await ensureRedis({ url: config.redisUrl, dataDir: config.dataDir, log });
    stops.push(() => redis.stop());
    const chain = config.chainRpcUrl ? await externalChain(config) : await startDevChainFor(config, log, stops);
    const runtime: RuntimeConfig = { ...config, databaseUrl, jwtSecret: config.jwtSecret ?? devJwtSecret(config.dataDir), chain, ...tokenTerms(config, chain.tokenDecimals) };
    if (chain.isDevChain && process.env.PAYOUT_HOLD_SECONDS === undefined) runtime.payoutHoldSeconds = 0;
    return { config: runtime, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function externalChain(config: AppConfig): Promise<ChainSettings> {
  const where = { rpcUrl: config.chainRpcUrl as string, chainId: config.chainId as number, tokenAddress: config.tokenAddress as string };
  const tokenDecimals = await readTokenDecimals(where).catch((error: unknown) => {
    throw new ConfigError('TOKEN_ADDRESS', `answered no decimals() at CHAIN_RPC_URL (${(error as Error).message.split('\n')[0].slice(0, 120)})`);
  });
  return {
    tokenDecimals,
    rpcUrl: config.chainRpcUrl as string,
    chainId: config.chainId as number,
    tokenAddress: config.tokenAddress as string,
    vaultAddress: config.vaultAddress as string,
    signerKey: config.payoutSignerKey as string,
    confirmations: config.chainConfirmations,
    isDevChain: false,
  };
}

async function startDevChainFor(config: AppConfig, log: (line: string) => void, stops: (() => Promise<void> | void)[]): Promise<ChainSettings> {
  const chain = await startDevChain({ port: 8545 });
  stops.push(() => chain.close());
  // Dev convention: key 0 deploys (token owner, vault admin), the payout signer operates the vault.
  const signerKey = config.payoutSignerKey ?? DEV_KEYS[1];
  const deployed = await deployDevContracts({ rpcUrl: chain.rpcUrl, deployerKey: DEV_KEYS[0], operator: new Wallet(signerKey).address });
  log(`dev chain at ${chain.rpcUrl} (id ${chain.chainId}); token ${deployed.tokenAddress}, vault ${deployed.vaultAddress}`);
  const tokenDecimals = await readTokenDecimals({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, tokenAddress: deployed.tokenAddress });
  return { rpcUrl: chain.rpcUrl, chainId: chain.chainId, tokenAddress: deployed.tokenAddress, vaultAddress: deployed.vaultAddress, signerKey, confirmations: config.chainConfirmations, isDevChain: true, tokenDecimals };
}

function devJwtSecret(dataDir: string): string {
  const file = join(resolve(dataDir), 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(dataDir), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
