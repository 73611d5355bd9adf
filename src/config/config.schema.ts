// One validated schema for every environment variable the service reads. Pure: it takes the
// environment as a plain object and either returns typed config or throws ConfigError naming
// the first bad variable, so boot stops with one clear line.

import { isIP } from 'node:net';
import { assertTokenDecimals, parseTokenAmount } from '../common/money';

export type ProcessRole = 'api' | 'worker' | 'all';

export interface AppConfig {
  nodeEnv: 'development' | 'test' | 'production';
  port: number;
  role: ProcessRole;
  databaseUrl: string | null;
  redisUrl: string;
  chainRpcUrl: string | null;
  /** CHAIN_RPC_URL is a dev chain of the public DEV_KEYS (devFaucet works, dev defaults apply). */
  chainIsDev: boolean;
  // What chainInfo.rpcUrl tells clients; CHAIN_RPC_URL often carries a provider key.
  chainPublicRpcUrl: string | null;
  chainId: number | null;
  tokenAddress: string | null;
  vaultAddress: string | null;
  payoutSignerKey: string | null;
  jwtSecret: string | null;
  jwtTtlSeconds: number;
  siweDomain: string;
  siweNonceTtlSeconds: number;
  adminAddresses: string[];
  payoutHoldSeconds: number;
  payoutMinAmount: string;
  payoutMaxRecipients: number;
  dbMigrateOnBoot: boolean;
  chainConfirmations: number;
  // Payouts and deposits (src/payouts, src/chain). Intervals of 0 turn the schedule off.
  payoutIntervalSeconds: number;
  payoutReconcileSeconds: number;
  payoutTxTimeoutSeconds: number;
  depositPollSeconds: number;
  chainStartBlock: number;
  chainReorgWindow: number;
  dataDir: string;
  // Port of the in-process dev chain (`npm start` without CHAIN_RPC_URL); a free one when taken.
  devChainPort: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  queuePrefix: string;
  signInRateLimit: number;
  // Proxies whose X-Forwarded-For is believed for the client IP (the sign-in rate limit's key):
  // addresses, CIDR ranges or the names loopback / linklocal / uniquelocal; empty trusts none.
  trustedProxies: string[];
  // How long an api process may reuse an account's roles/block state; role and block changes
  // wait this long before they answer, so they are in force everywhere when they return.
  principalCacheMs: number;
  // Claims (and submits) that arrive within one turn of the event loop go to PostgreSQL together,
  // at most this many in one statement; 1 sends each alone (CallBatcher).
  hotPathBatch: number;
  uploadMaxBytes: number;
  uploadMaxLineBytes: number;
  // Gold answers a worker must have on a dataset before the quality gate may block them there.
  qualityMinGoldAnswers: number;
  // Verdicts: a worker's pending submissions on a dataset are decided together once they hold
  // this many gold answers, or once the oldest has waited this long; the decision reads the
  // worker's last `verdictWindowGold` gold answers; the scan for overdue batches runs this often.
  verdictMinGold: number;
  verdictMaxDelaySeconds: number;
  verdictWindowGold: number;
  verdictIntervalSeconds: number;
  // Gold gaming: gold accuracy this far above agreement with consensus on regular items is
  // flagged (goldGamingSuspected); this far, the worker gets no more tasks on the dataset.
  qualityGamingGap: number;
  qualityGamingBlockGap: number;
  // Aggregations of at least this many answers run in a worker thread, off the event loop.
  consensusThreadAboveAnswers: number;
  // Disputes: how long a reviewer holds a case; how often the worker resumes unfinished gold
  // re-scores and releases dispute reserves that are due (0 = only when asked); how many workers
  // one re-score transaction handles.
  disputeLeaseSeconds: number;
  disputeScanSeconds: number;
  rescoreChunkWorkers: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, range: { min: number; max: number }): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < range.min || value > range.max) {
    throw new ConfigError(name, `must be between ${range.min} and ${range.max}, got ${value}`);
  }
  return value;
}

function fraction(env: Env, name: string, fallback: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || value <= 0 || value > 1)
    throw new ConfigError(name, `must be a number in (0, 1], got "${raw}"`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function proxyList(env: Env, name: string, fallback: string[]): string[] {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (raw.toLowerCase() === 'none') return [];
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [ip, prefix, ...extra] = entry.split('/');
    const version = isIP(ip);
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 6 ? 128 : 32));
    if (!(PROXY_NAMES.has(entry) || (version !== 0 && prefixOk && extra.length === 0))) {
      throw new ConfigError(
        name,
        `contains "${entry}": use IP addresses, CIDR ranges (10.0.0.0/8), loopback, linklocal, uniquelocal, or none`,
      );
    }
  }
  return entries;
}

function address(env: Env, name: string): string | null {
  const raw = read(env, name);
  if (raw === undefined) return null;
  if (!ADDRESS.test(raw)) throw new ConfigError(name, 'must be a 0x-prefixed 20-byte hex address');
  return raw.toLowerCase();
}

function decimalTokens(env: Env, name: string, fallback: string): string {
  const raw = read(env, name) ?? fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(name, `must be a non-negative decimal amount, got "${raw}"`);
  return raw;
}

const MAKE_A_SECRET = 'make one with: openssl rand -hex 32';

// Words that mark a sample value rather than a secret (a random one of 32+ characters contains
// none of them by chance).
const PLACEHOLDER_WORDS = ['change', 'replace', 'placeholder', 'example', 'secret', 'password', 'default', 'insecure'];
const MIN_DISTINCT_CHARACTERS = 10;

/** Why a JWT secret is unfit for production (a sample value, too little variety), or null. */
export function jwtSecretWeakness(secret: string): string | null {
  const lower = secret.toLowerCase();
  const word = PLACEHOLDER_WORDS.find((w) => lower.includes(w));
  if (word !== undefined) return `looks like a placeholder (contains "${word}")`;
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS)
    return `has too little variety (fewer than ${MIN_DISTINCT_CHARACTERS} different characters)`;
  return null;
}

export function parseConfig(env: Env): AppConfig {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'test', 'production'] as const, 'development');
  const chainRpcUrl = url(env, 'CHAIN_RPC_URL', ['http:', 'https:', 'ws:', 'wss:']) ?? null;
  const chainIdRaw = read(env, 'CHAIN_ID');
  if (chainRpcUrl && chainIdRaw === undefined)
    throw new ConfigError('CHAIN_ID', 'is required when CHAIN_RPC_URL is set');
  const chainId = chainIdRaw === undefined ? null : integer(env, 'CHAIN_ID', 0, { min: 1, max: 2 ** 53 - 1 });
  const payoutSignerKey = read(env, 'PAYOUT_SIGNER_KEY') ?? null;
  if (payoutSignerKey !== null && !/^0x[0-9a-fA-F]{64}$/.test(payoutSignerKey)) {
    throw new ConfigError('PAYOUT_SIGNER_KEY', 'must be a 0x-prefixed 32-byte hex private key');
  }
  if (chainRpcUrl) {
    for (const name of ['TOKEN_ADDRESS', 'VAULT_ADDRESS', 'PAYOUT_SIGNER_KEY']) {
      if (read(env, name) === undefined) throw new ConfigError(name, 'is required when CHAIN_RPC_URL is set');
    }
  }
  const jwtSecret = read(env, 'JWT_SECRET') ?? null;
  if (jwtSecret !== null && jwtSecret.length < 32)
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
  if (nodeEnv === 'production') {
    if (jwtSecret === null) throw new ConfigError('JWT_SECRET', `is required in production (${MAKE_A_SECRET})`);
    const weakness = jwtSecretWeakness(jwtSecret);
    if (weakness !== null)
      throw new ConfigError('JWT_SECRET', `${weakness}: anyone could forge tokens with it (${MAKE_A_SECRET})`);
  }
  const adminRaw = read(env, 'ADMIN_ADDRESSES');
  const adminAddresses = (adminRaw ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const a of adminAddresses) {
    if (!ADDRESS.test(a)) throw new ConfigError('ADMIN_ADDRESSES', `contains "${a}", which is not an address`);
  }
  // CHAIN_IS_DEV: CHAIN_RPC_URL is a dev chain of the public DEV_KEYS (scripts/dev-chain.js, the
  // simulation's chain): devFaucet and the dev defaults work as on the embedded one. Never in production.
  const chainIsDev = boolean(env, 'CHAIN_IS_DEV', false);
  if (chainIsDev && nodeEnv === 'production')
    throw new ConfigError('CHAIN_IS_DEV', 'is for dev chains with public keys: refused with NODE_ENV=production');
  const onDevChain = chainRpcUrl === null || chainIsDev;
  return {
    chainIsDev,
    nodeEnv,
    port: integer(env, 'PORT', 3000, { min: 0, max: 65535 }),
    role: oneOf(env, 'ROLE', ['api', 'worker', 'all'] as const, 'all'),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']) ?? null,
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']) ?? 'redis://127.0.0.1:6379',
    chainRpcUrl,
    chainPublicRpcUrl: url(env, 'CHAIN_PUBLIC_RPC_URL', ['http:', 'https:', 'ws:', 'wss:']) ?? null,
    chainId,
    tokenAddress: address(env, 'TOKEN_ADDRESS'),
    vaultAddress: address(env, 'VAULT_ADDRESS'),
    payoutSignerKey,
    jwtSecret,
    jwtTtlSeconds: integer(env, 'JWT_TTL_SECONDS', 3600, { min: 60, max: 30 * 86400 }),
    siweDomain: read(env, 'SIWE_DOMAIN') ?? 'localhost',
    siweNonceTtlSeconds: integer(env, 'SIWE_NONCE_TTL_SECONDS', 300, { min: 10, max: 3600 }),
    adminAddresses: adminAddresses.map((a) => a.toLowerCase()),
    payoutHoldSeconds: integer(env, 'PAYOUT_HOLD_SECONDS', 86400, { min: 0, max: 365 * 86400 }),
    payoutMinAmount: decimalTokens(env, 'PAYOUT_MIN_AMOUNT', '1'),
    payoutMaxRecipients: integer(env, 'PAYOUT_MAX_RECIPIENTS', 500, { min: 1, max: 2000 }),
    dbMigrateOnBoot: boolean(env, 'DB_MIGRATE_ON_BOOT', true),
    chainConfirmations: integer(env, 'CHAIN_CONFIRMATIONS', onDevChain ? 1 : 2, { min: 0, max: 1000 }),
    payoutIntervalSeconds: integer(env, 'PAYOUT_INTERVAL_SECONDS', 60, { min: 0, max: 86400 }),
    payoutReconcileSeconds: integer(env, 'PAYOUT_RECONCILE_SECONDS', 15, { min: 0, max: 86400 }),
    payoutTxTimeoutSeconds: integer(env, 'PAYOUT_TX_TIMEOUT_SECONDS', 180, { min: 1, max: 86400 }),
    depositPollSeconds: integer(env, 'DEPOSIT_POLL_SECONDS', 5, { min: 0, max: 86400 }),
    chainStartBlock: integer(env, 'CHAIN_START_BLOCK', 0, { min: 0, max: 2 ** 53 - 1 }),
    chainReorgWindow: integer(env, 'CHAIN_REORG_WINDOW', 64, { min: 1, max: 10000 }),
    dataDir: read(env, 'DATA_DIR') ?? '.data',
    devChainPort: integer(env, 'DEV_CHAIN_PORT', 8545, { min: 0, max: 65535 }),
    logLevel: oneOf(
      env,
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      nodeEnv === 'test' ? 'silent' : 'info',
    ),
    queuePrefix: read(env, 'QUEUE_PREFIX') ?? 'labelchain',
    signInRateLimit: integer(env, 'SIGN_IN_RATE_LIMIT', 30, { min: 1, max: 100000 }),
    trustedProxies: proxyList(env, 'TRUSTED_PROXIES', ['loopback']),
    principalCacheMs: integer(env, 'PRINCIPAL_CACHE_MS', 1000, { min: 0, max: 10_000 }),
    hotPathBatch: integer(env, 'HOT_PATH_BATCH', 16, { min: 1, max: 256 }),
    uploadMaxBytes: integer(env, 'UPLOAD_MAX_BYTES', 2 * 1024 ** 3, { min: 1024, max: 2 ** 40 }),
    uploadMaxLineBytes: integer(env, 'UPLOAD_MAX_LINE_BYTES', 64 * 1024, { min: 256, max: 16 * 1024 ** 2 }),
    qualityMinGoldAnswers: integer(env, 'QUALITY_MIN_GOLD_ANSWERS', 5, { min: 1, max: 100000 }),
    verdictMinGold: integer(env, 'VERDICT_MIN_GOLD', 3, { min: 1, max: 1000 }),
    verdictMaxDelaySeconds: integer(env, 'VERDICT_MAX_DELAY_SECONDS', 3600, { min: 0, max: 30 * 86400 }),
    verdictWindowGold: integer(env, 'VERDICT_WINDOW_GOLD', 20, { min: 1, max: 1000 }),
    verdictIntervalSeconds: integer(env, 'VERDICT_INTERVAL_SECONDS', 30, { min: 0, max: 86400 }),
    qualityGamingGap: fraction(env, 'QUALITY_GAMING_GAP', 0.3),
    qualityGamingBlockGap: fraction(env, 'QUALITY_GAMING_BLOCK_GAP', 0.5),
    consensusThreadAboveAnswers: integer(env, 'CONSENSUS_THREAD_ABOVE_ANSWERS', 20000, { min: 0, max: 2 ** 31 - 1 }),
    disputeLeaseSeconds: integer(env, 'DISPUTE_LEASE_SECONDS', 1800, { min: 30, max: 7 * 86400 }),
    disputeScanSeconds: integer(env, 'DISPUTE_SCAN_SECONDS', 60, { min: 0, max: 86400 }),
    rescoreChunkWorkers: integer(env, 'RESCORE_CHUNK_WORKERS', 100, { min: 1, max: 10000 }),
  };
}

/**
 * The money settings that need the token's decimals (known once the chain answered): the
 * payout minimum in base units. A minimum the token cannot represent (more decimal places than
 * it has) stops boot instead of being rounded.
 */
export function tokenTerms(
  config: Pick<AppConfig, 'payoutMinAmount'>,
  decimals: number,
): { tokenDecimals: number; payoutMinUnits: bigint } {
  try {
    assertTokenDecimals(decimals);
  } catch (e) {
    throw new ConfigError(
      'TOKEN_ADDRESS',
      `names a token whose decimals() the service cannot use: ${(e as Error).message}`,
    );
  }
  try {
    return { tokenDecimals: decimals, payoutMinUnits: parseTokenAmount(config.payoutMinAmount, decimals) };
  } catch (e) {
    throw new ConfigError(
      'PAYOUT_MIN_AMOUNT',
      `is not representable in the token (${decimals} decimals): ${(e as Error).message}`,
    );
  }
}
