// An in-process dev chain with LabelToken + PayoutVault for the payout and deposit tests, the
// ChainSettings to boot the app against it, and the chain-side moves tests make (fund the
// vault, pause it, mine, snapshot/revert = reorg). The app signs with DEV_KEYS[1] (the vault
// operator); the test signs with DEV_KEYS[0] (token owner, vault admin) and DEV_KEYS[2]
// (a requester depositing), so the two never compete for a nonce.
import {
  NonceManager,
  Wallet,
  keccak256,
  randomBytes,
  hexlify,
  type JsonRpcProvider,
  type ContractTransactionResponse,
} from 'ethers';
import {
  DEV_KEYS,
  deployDevContracts,
  startDevChain,
  type DevChain,
  type DevContracts,
} from '../../src/chain/dev-chain';
import {
  connectLabelToken,
  connectPayoutVault,
  contractInterface,
  type LabelTokenContract,
  type PayoutVaultContract,
} from '../../src/chain/contracts';
import type { ChainSettings } from '../../src/config/runtime-config';
import { createChainProvider } from '../../src/chain/chain-provider';

export interface TestChain {
  chain: DevChain;
  provider: JsonRpcProvider;
  contracts: DevContracts;
  settings: ChainSettings;
  token: LabelTokenContract;
  vault: PayoutVaultContract;
  /** Mines a block (needed after each test-side send when automine is off). */
  mine(blocks?: number): Promise<void>;
  setAutomine(on: boolean): Promise<void>;
  snapshot(): Promise<string>;
  /** Drops every block after the snapshot: a reorg. */
  revert(snapshotId: string): Promise<void>;
  /** Mints to the requester and deposits for datasetKey; resolves once mined. */
  deposit(datasetKey: string, amount: bigint): Promise<string>;
  /** Deposits to a throwaway key: tokens the vault can pay from. */
  fundVault(amount: bigint): Promise<void>;
  pauseVault(): Promise<void>;
  unpauseVault(): Promise<void>;
  balanceOf(address: string): Promise<bigint>;
  close(): Promise<void>;
}

export const OPERATOR_KEY = DEV_KEYS[1];

export function randomKey(): string {
  return keccak256(hexlify(randomBytes(32)));
}

export async function startTestChain(
  options: { automine?: boolean; confirmations?: number; tokenContract?: 'LabelToken' | 'UsdLikeToken' } = {},
): Promise<TestChain> {
  const chain = await startDevChain({ port: 0, automine: options.automine ?? true });
  const contracts = await deployDevContracts({
    rpcUrl: chain.rpcUrl,
    deployerKey: DEV_KEYS[0],
    tokenContract: options.tokenContract,
  });
  return testChainAt({ chain, contracts, automine: options.automine, confirmations: options.confirmations });
}

/** The same helpers for a dev chain that is already running (e.g. in another process). */
export async function testChainAt(params: {
  chain: DevChain;
  contracts: DevContracts;
  automine?: boolean;
  confirmations?: number;
}): Promise<TestChain> {
  const { chain, contracts } = params;
  const options = { automine: params.automine, confirmations: params.confirmations };
  const provider = createChainProvider(chain.rpcUrl, chain.chainId);
  let automine = options.automine ?? true;
  const admin = new NonceManager(new Wallet(DEV_KEYS[0], provider));
  const requester = new NonceManager(new Wallet(DEV_KEYS[2], provider));
  const token = connectLabelToken(contracts.tokenAddress, provider);
  const tokenDecimals = Number(await token.decimals());
  const vault = connectPayoutVault(contracts.vaultAddress, provider);
  const mine = async (blocks = 1): Promise<void> => {
    for (let i = 0; i < blocks; i++) await provider.send('evm_mine', []);
  };
  const sent = async (tx: Promise<ContractTransactionResponse>): Promise<string> => {
    const response = await tx;
    if (!automine) await mine();
    const receipt = await response.wait();
    if (receipt?.status !== 1) throw new Error(`test transaction reverted: ${response.hash}`);
    return response.hash;
  };
  const deposit = async (datasetKey: string, amount: bigint): Promise<string> => {
    await sent((token.connect(admin) as LabelTokenContract).mint(await requester.getAddress(), amount));
    await sent((token.connect(requester) as LabelTokenContract).approve(contracts.vaultAddress, amount));
    return sent((vault.connect(requester) as PayoutVaultContract).deposit(datasetKey, amount));
  };
  return {
    chain,
    provider,
    contracts,
    settings: {
      rpcUrl: chain.rpcUrl,
      chainId: chain.chainId,
      tokenAddress: contracts.tokenAddress.toLowerCase(),
      vaultAddress: contracts.vaultAddress.toLowerCase(),
      signerKey: OPERATOR_KEY,
      confirmations: options.confirmations ?? 1,
      isDevChain: true,
      tokenDecimals,
    },
    token,
    vault,
    mine,
    setAutomine: async (on) => {
      await provider.send('evm_setAutomine', [on]);
      automine = on;
    },
    snapshot: () => provider.send('evm_snapshot', []) as Promise<string>,
    revert: async (id) => {
      if ((await provider.send('evm_revert', [id])) !== true) throw new Error('evm_revert failed');
      admin.reset();
      requester.reset();
    },
    deposit,
    fundVault: async (amount) => {
      await deposit(randomKey(), amount);
    },
    pauseVault: async () => {
      await sent((vault.connect(admin) as PayoutVaultContract).pause());
    },
    unpauseVault: async () => {
      await sent((vault.connect(admin) as PayoutVaultContract).unpause());
    },
    balanceOf: (address) => token.balanceOf(address),
    close: async () => {
      provider.destroy();
      await chain.close();
    },
  };
}

/** Total of all BatchPaid events: what left the vault through payouts. */
export async function paidOutOnChain(testChain: TestChain): Promise<bigint> {
  const iface = contractInterface('PayoutVault');
  const logs = await testChain.provider.getLogs({
    address: testChain.contracts.vaultAddress,
    topics: [iface.getEvent('BatchPaid')!.topicHash],
    fromBlock: 0,
    toBlock: 'latest',
  });
  return logs.reduce((sum, log) => sum + BigInt(iface.parseLog(log)!.args.total), 0n);
}
