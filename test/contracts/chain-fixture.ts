// Shared setup for the contract specs: one in-process dev chain per spec file, the dev
// contracts deployed on it, and an EVM snapshot reverted after every test so tests never see
// each other's transactions.
import {
  Wallet,
  getAddress,
  keccak256,
  toUtf8Bytes,
  type JsonRpcProvider,
  type TransactionReceipt,
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
  decodeContractError,
  ensureContractsCompiled,
  packBatch,
  type DecodedContractError,
} from '../../src/chain/contracts';
import { createChainProvider } from '../../src/chain/chain-provider';

/**
 * Per-file timeouts for chain specs: the first file to run after a contract change compiles
 * (~10 s, more with parallel workers), and starting a chain takes ~0.5 s.
 */
export function useChainTimeouts(): void {
  jest.setTimeout(30_000);
  beforeAll(() => ensureContractsCompiled(), 180_000);
}

export interface ChainFixture {
  chain: DevChain;
  provider: JsonRpcProvider;
  contracts: DevContracts;
  admin: Wallet;
  operator: Wallet;
  requester: Wallet;
  stranger: Wallet;
}

/** Registers beforeAll/afterAll/beforeEach/afterEach hooks; read the fixture inside tests. */
export function useChainFixture(): () => ChainFixture {
  let fixture: ChainFixture | undefined;
  let snapshot: string | undefined;
  useChainTimeouts();

  beforeAll(async () => {
    const chain = await startDevChain();
    const provider = createChainProvider(chain.rpcUrl, chain.chainId);
    const contracts = await deployDevContracts({ rpcUrl: chain.rpcUrl, deployerKey: DEV_KEYS[0] });
    fixture = {
      chain,
      provider,
      contracts,
      admin: new Wallet(DEV_KEYS[0], provider),
      operator: new Wallet(DEV_KEYS[1], provider),
      requester: new Wallet(DEV_KEYS[2], provider),
      stranger: new Wallet(DEV_KEYS[3], provider),
    };
  });

  afterAll(async () => {
    fixture?.provider.destroy();
    await fixture?.chain.close();
  });

  beforeEach(async () => {
    snapshot = (await fixture!.provider.send('evm_snapshot', [])) as string;
  });

  afterEach(async () => {
    if (snapshot !== undefined) await fixture!.provider.send('evm_revert', [snapshot]);
  });

  return () => {
    if (fixture === undefined) throw new Error('chain fixture used outside a test');
    return fixture;
  };
}

/** Sends, waits for the receipt and fails the test when it reverted. */
export async function mined(tx: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error('no receipt');
  return receipt;
}

/** Awaits a call/send expected to revert and returns its decoded custom error. */
export async function revertOf(action: Promise<unknown>): Promise<DecodedContractError> {
  try {
    await action;
  } catch (e) {
    const decoded = decodeContractError(e);
    if (decoded === null) throw new Error(`reverted without a known custom error: ${String(e)}`);
    return decoded;
  }
  throw new Error('expected a revert, the call succeeded');
}

export const id = (label: string): string => keccak256(toUtf8Bytes(label));

/** n distinct addresses derived from `tag` that have never held anything. */
export function addresses(n: number, tag: string): string[] {
  return Array.from({ length: n }, (_, i) => getAddress(`0x${id(`${tag}:${i}`).slice(-40)}`));
}

/** payBatchPacked's unit, width and packed records for these payments (fails when they cannot be packed). */
export function packedArgs(payments: [recipient: string, amount: bigint][]): [bigint, number, string] {
  const packed = packBatch(payments.map(([recipient, amount]) => ({ recipient, amount })));
  if (packed === null) throw new Error('payments cannot be packed');
  return [packed.unit, packed.width, packed.packed];
}
