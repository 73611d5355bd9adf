import type { AppConfig } from './config.schema';

// Config after the embedded defaults have been resolved at boot: a database URL, a chain and
// a JWT secret always exist here, whether given by the operator or started in-process.
export interface ChainSettings {
  /** The JSON-RPC URL this service talks to (may embed a provider key: never published). */
  rpcUrl: string;
  /** What chainInfo.rpcUrl tells clients; when absent, the publishable part of rpcUrl. */
  publicRpcUrl?: string;
  chainId: number;
  tokenAddress: string;
  vaultAddress: string;
  signerKey: string;
  confirmations: number;
  isDevChain: boolean;
  /** The token's own decimals(), read once when the chain was connected: the only scale of TokenAmount. */
  tokenDecimals: number;
}

export interface RuntimeConfig extends Omit<AppConfig, 'databaseUrl' | 'jwtSecret'> {
  databaseUrl: string;
  jwtSecret: string;
  chain: ChainSettings | null;
  /** chain.tokenDecimals, or NO_CHAIN_DECIMALS when the service runs without a chain. */
  tokenDecimals: number;
  /** PAYOUT_MIN_AMOUNT in base units of the token (see tokenTerms). */
  payoutMinUnits: bigint;
}

export const RUNTIME_CONFIG = Symbol('RUNTIME_CONFIG');
