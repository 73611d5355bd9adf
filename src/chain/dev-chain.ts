// The local dev chain: Hardhat 2's JSON-RPC server started in-process (chain id 31337, Cancun,
// 30M block gas limit), optionally kept across restarts, and the deployment of LabelToken +
// PayoutVault on it.
// Dev and tests only; never used when CHAIN_RPC_URL points at a real chain.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Wallet, getCreateAddress, type TransactionRequest } from 'ethers';
import type { EthereumProvider, HardhatRuntimeEnvironment, HardhatNetworkConfig } from 'hardhat/types';
import { OPERATOR_ROLE_ID, contractInterface, loadArtifact, projectRoot } from './contracts';
import { createChainProvider } from './chain-provider';
import { DevChainJournal } from './dev-chain-journal';

export const DEV_CHAIN_ID = 31337;

/** Hardhat's default mnemonic. PUBLIC: every key derived from it is known to the world. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

/**
 * The first 10 private keys of DEV_MNEMONIC (m/44'/60'/0'/0/i), each funded with 10,000 ETH on
 * the dev chain. PUBLIC keys, dev and test chains only. By convention index 0 deploys (admin of
 * the vault, owner of the token) and index 1 is the vault operator (payout signer).
 */
export const DEV_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
] as const;

export interface StartDevChainOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Mine a block per transaction (default true). false: mine with `evm_mine`. */
  automine?: boolean;
  /** Interface to bind (default 127.0.0.1). */
  hostname?: string;
  /**
   * Keep the chain in this folder across restarts: every state-changing call is journaled there
   * and replayed at the next start (see dev-chain-journal.ts). Without it the chain is new.
   */
  stateDir?: string;
  /** Date of the genesis block of a new chain (default: now). Two chains started in the same second are otherwise identical. */
  initialDate?: string;
}

export interface DevChain {
  /** e.g. http://127.0.0.1:39123 (also accepts WebSocket connections on the same port). */
  rpcUrl: string;
  chainId: number;
  /** The in-process EIP-1193 provider behind the server: `request({ method, params })` without HTTP. */
  provider: Pick<EthereumProvider, 'request'>;
  /** State-changing calls replayed from `stateDir` at start (0 for a new chain). */
  restoredCalls?: number;
  /** Stops the server; leaves no open handles. Idempotent. */
  close(): Promise<void>;
}

interface JsonRpcServer {
  listen(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

let hre: HardhatRuntimeEnvironment | undefined;

/** Loads Hardhat with the repository's hardhat.config.js whatever the current directory. */
function loadHardhat(): HardhatRuntimeEnvironment {
  if (hre !== undefined) return hre;
  const previous = process.env.HARDHAT_CONFIG;
  process.env.HARDHAT_CONFIG = join(projectRoot(), 'hardhat.config.js');
  try {
    hre = createRequire(__filename)('hardhat') as HardhatRuntimeEnvironment;
  } finally {
    if (previous === undefined) delete process.env.HARDHAT_CONFIG;
    else process.env.HARDHAT_CONFIG = previous;
  }
  return hre;
}

/**
 * Starts a Hardhat 2 chain with its JSON-RPC server on 127.0.0.1: a new chain from genesis, or,
 * with `stateDir`, the chain kept there (replayed before the server accepts a request).
 * Takes ~0.5 s (plus ~0.2 s the first time Hardhat loads, plus the replay).
 */
export async function startDevChain(options: StartDevChainOptions = {}): Promise<DevChain> {
  const env = loadHardhat();
  const load = createRequire(__filename);
  const { createProvider } = load('hardhat/internal/core/providers/construction') as {
    createProvider(config: unknown, networkName: string): Promise<EthereumProvider>;
  };
  const { TASK_NODE_CREATE_SERVER } = load('hardhat/builtin-tasks/task-names') as { TASK_NODE_CREATE_SERVER: string };

  const journal = options.stateDir === undefined ? null : DevChainJournal.open(options.stateDir, DEV_CHAIN_ID);
  const base = env.config.networks.hardhat;
  const network: HardhatNetworkConfig = {
    ...base,
    chainId: DEV_CHAIN_ID,
    hardfork: 'cancun',
    blockGasLimit: 30_000_000,
    throwOnTransactionFailures: false,
    loggingEnabled: false,
    mining: { ...base.mining, auto: options.automine ?? true, interval: 0 },
    // A kept chain starts from the same genesis every time (its timestamp is part of the hash).
    ...(journal
      ? { initialDate: journal.initialDate }
      : options.initialDate
        ? { initialDate: options.initialDate }
        : {}),
  };
  // A new provider per chain rather than the shared hre.network.provider: independent chains.
  const raw = await createProvider(
    { ...env.config, networks: { ...env.config.networks, hardhat: network } },
    'hardhat',
  );
  const restoredCalls = journal ? await journal.replay(raw) : 0;
  const provider = journal ? journal.recording(raw) : raw;
  if (journal && restoredCalls > 0) await journal.catchUpClock(provider);
  const hostname = options.hostname ?? '127.0.0.1';
  const server = (await env.run(TASK_NODE_CREATE_SERVER, {
    hostname,
    port: options.port ?? 0,
    provider,
  })) as JsonRpcServer;
  const { port } = await server.listen();

  let closing: Promise<void> | undefined;
  return {
    rpcUrl: `http://${hostname}:${port}`,
    chainId: DEV_CHAIN_ID,
    provider,
    restoredCalls,
    close: () => (closing ??= server.close()),
  };
}

export interface DeployDevContractsOptions {
  rpcUrl: string;
  /** Deploys both contracts: owner of LabelToken, admin of PayoutVault. */
  deployerKey: string;
  /** Gets OPERATOR_ROLE on the vault. Default: the address of DEV_KEYS[1]. */
  operator?: string;
  /** Default DEV_CHAIN_ID. */
  chainId?: number;
  /** The ERC-20 to deploy (constructor(owner), owner-only mint). Default LabelToken (18 decimals). */
  tokenContract?: 'LabelToken' | 'UsdLikeToken';
}

export interface DevContracts {
  tokenAddress: string;
  vaultAddress: string;
  deployer: string;
  operator: string;
  /** Block of the vault deployment: where a deposit/payout watcher starts scanning. */
  deployBlock: number;
}

/**
 * Deploys LabelToken and PayoutVault(token) from `deployerKey` and grants OPERATOR_ROLE to
 * `operator`. Works with automine on or off (mines the blocks itself when it is off).
 * On a fresh chain with DEV_KEYS[0] the addresses are always the same:
 * token 0x5FbDB2315678afecb367f032d93F642f64180aa3, vault 0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512.
 */
export async function deployDevContracts(options: DeployDevContractsOptions): Promise<DevContracts> {
  const provider = createChainProvider(options.rpcUrl, options.chainId ?? DEV_CHAIN_ID);
  try {
    const wallet = new Wallet(options.deployerKey, provider);
    const deployer = wallet.address;
    const operator = options.operator ?? new Wallet(DEV_KEYS[1]).address;
    const automine = await provider.send('hardhat_getAutomine', []).then(
      (value: unknown) => value !== false,
      () => true, // not a Hardhat node: assume blocks get mined
    );
    let nonce = await provider.getTransactionCount(deployer, 'pending');

    const tokenAddress = getCreateAddress({ from: deployer, nonce });
    const vaultAddress = getCreateAddress({ from: deployer, nonce: nonce + 1 });
    const deployData = (name: 'LabelToken' | 'UsdLikeToken' | 'PayoutVault', args: unknown[]) =>
      loadArtifact(name).bytecode + contractInterface(name).encodeDeploy(args).slice(2);
    // Explicit gas limits: with automine off nothing is mined between sends, so estimating
    // the vault deployment (its constructor checks the token has code) would fail.
    const txs: TransactionRequest[] = [
      { data: deployData(options.tokenContract ?? 'LabelToken', [deployer]), gasLimit: 3_000_000n },
      { data: deployData('PayoutVault', [tokenAddress]), gasLimit: 3_000_000n },
      {
        to: vaultAddress,
        data: contractInterface('PayoutVault').encodeFunctionData('grantRole', [OPERATOR_ROLE_ID, operator]),
        gasLimit: 200_000n,
      },
    ];
    const sent = [];
    for (const tx of txs) sent.push(await wallet.sendTransaction({ ...tx, nonce: nonce++ }));
    if (!automine) await provider.send('evm_mine', []);
    let deployBlock = 0;
    for (const [i, tx] of sent.entries()) {
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1)
        throw new Error(`dev contract deployment step ${i + 1}/3 reverted (tx ${tx.hash})`);
      if (i === 1) deployBlock = receipt.blockNumber;
    }
    return { tokenAddress, vaultAddress, deployer, operator, deployBlock };
  } finally {
    provider.destroy();
  }
}

/** Makes `operator` a vault operator too (a kept dev chain started with another PAYOUT_SIGNER_KEY). */
export async function grantDevOperator(params: {
  rpcUrl: string;
  vaultAddress: string;
  operator: string;
}): Promise<void> {
  const provider = createChainProvider(params.rpcUrl, DEV_CHAIN_ID);
  try {
    const admin = new Wallet(DEV_KEYS[0], provider);
    const data = contractInterface('PayoutVault').encodeFunctionData('grantRole', [OPERATOR_ROLE_ID, params.operator]);
    const receipt = await (await admin.sendTransaction({ to: params.vaultAddress, data })).wait();
    if (receipt === null || receipt.status !== 1)
      throw new Error(`granting the vault operator role to ${params.operator} reverted`);
  } finally {
    provider.destroy();
  }
}
