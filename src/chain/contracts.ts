// ABIs of our contracts (from artifacts/, written by scripts/compile-contracts.js) and typed
// ethers v6 Contract factories for LabelToken and PayoutVault.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  BaseContract,
  ContractFactory,
  Interface,
  getAddress,
  id,
  type AddressLike,
  type BaseContractMethod,
  type BigNumberish,
  type BytesLike,
  type ContractRunner,
  type ContractTransactionResponse,
  type InterfaceAbi,
  type Signer,
} from 'ethers';

export type ContractName =
  | 'LabelToken'
  | 'PayoutVault'
  | 'BulkPayoutBaseline'
  | 'NoReturnToken'
  | 'FalseReturnToken'
  | 'FeeOnTransferToken'
  | 'UsdLikeToken';

export interface ContractArtifact {
  contractName: string;
  sourceName: string;
  abi: InterfaceAbi;
  bytecode: string;
}

type Send<A extends unknown[]> = BaseContractMethod<A, void, ContractTransactionResponse>;
type View<A extends unknown[], R> = BaseContractMethod<A, R, R>;

/** LabelToken (OpenZeppelin ERC-20 + Ownable mint), or any ERC-20 read through the same ABI. Amounts are bigint base units. */
export type LabelTokenContract = BaseContract & {
  name: View<[], string>;
  symbol: View<[], string>;
  decimals: View<[], bigint>;
  totalSupply: View<[], bigint>;
  owner: View<[], string>;
  balanceOf: View<[account: AddressLike], bigint>;
  allowance: View<[owner: AddressLike, spender: AddressLike], bigint>;
  approve: Send<[spender: AddressLike, amount: BigNumberish]>;
  transfer: Send<[to: AddressLike, amount: BigNumberish]>;
  transferFrom: Send<[from: AddressLike, to: AddressLike, amount: BigNumberish]>;
  mint: Send<[to: AddressLike, amount: BigNumberish]>;
};

/** PayoutVault. See contracts/PayoutVault.sol for the revert errors and events. */
export type PayoutVaultContract = BaseContract & {
  OPERATOR_ROLE: View<[], string>;
  DEFAULT_ADMIN_ROLE: View<[], string>;
  token: View<[], string>;
  paid: View<[batchId: BytesLike], boolean>;
  paused: View<[], boolean>;
  hasRole: View<[role: BytesLike, account: AddressLike], boolean>;
  deposit: Send<[datasetKey: BytesLike, amount: BigNumberish]>;
  payBatch: Send<[batchId: BytesLike, manifestHash: BytesLike, recipients: AddressLike[], amounts: BigNumberish[]]>;
  payBatchPacked: Send<
    [batchId: BytesLike, manifestHash: BytesLike, unit: BigNumberish, width: BigNumberish, packed: BytesLike]
  >;
  refunded: View<[refundId: BytesLike], boolean>;
  refund: Send<[refundId: BytesLike, datasetKey: BytesLike, to: AddressLike, amount: BigNumberish]>;
  pause: Send<[]>;
  unpause: Send<[]>;
  grantRole: Send<[role: BytesLike, account: AddressLike]>;
  revokeRole: Send<[role: BytesLike, account: AddressLike]>;
};

/** keccak256("OPERATOR_ROLE"): the PayoutVault role allowed to pay batches. */
export const OPERATOR_ROLE_ID = id('OPERATOR_ROLE');

let cachedRoot: string | undefined;

/** The repository root: the nearest ancestor of this file holding hardhat.config.js (works from src/ and dist/). */
export function projectRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'hardhat.config.js')) && existsSync(join(dir, 'package.json'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no hardhat.config.js above ${__dirname}: cannot find the project root`);
    dir = parent;
  }
}

let compileChecked = false;

/**
 * Recompiles contracts/ when the sources changed since the last build (a hash check, ~ms when
 * nothing changed). Skipped where the sources or the compile script are not shipped.
 */
export function ensureContractsCompiled(): void {
  if (compileChecked) return;
  const root = projectRoot();
  const script = join(root, 'scripts', 'compile-contracts.js');
  if (existsSync(script) && existsSync(join(root, 'contracts'))) {
    const load = createRequire(__filename);
    const { compileContracts } = load(script) as { compileContracts(options: { quiet: boolean }): unknown };
    compileContracts({ quiet: true });
  }
  compileChecked = true;
}

const artifacts = new Map<ContractName, ContractArtifact>();

export function loadArtifact(name: ContractName): ContractArtifact {
  const hit = artifacts.get(name);
  if (hit !== undefined) return hit;
  ensureContractsCompiled();
  const file = join(projectRoot(), 'artifacts', `${name}.json`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build:contracts\``);
  const artifact = JSON.parse(readFileSync(file, 'utf8')) as ContractArtifact;
  artifacts.set(name, artifact);
  return artifact;
}

const interfaces = new Map<ContractName, Interface>();

export function contractInterface(name: ContractName): Interface {
  let iface = interfaces.get(name);
  if (iface === undefined) {
    iface = new Interface(loadArtifact(name).abi);
    interfaces.set(name, iface);
  }
  return iface;
}

export function connectLabelToken(address: string, runner: ContractRunner | null = null): LabelTokenContract {
  return new BaseContract(address, contractInterface('LabelToken'), runner) as LabelTokenContract;
}

export function connectPayoutVault(address: string, runner: ContractRunner | null = null): PayoutVaultContract {
  return new BaseContract(address, contractInterface('PayoutVault'), runner) as PayoutVaultContract;
}

/** Deploys one of our contracts and waits until it is mined. */
export async function deployContract(args: {
  name: ContractName;
  signer: Signer;
  constructorArgs?: unknown[];
}): Promise<{ address: string; txHash: string }> {
  const { abi, bytecode } = loadArtifact(args.name);
  const factory = new ContractFactory(abi, bytecode, args.signer);
  const contract = await factory.deploy(...(args.constructorArgs ?? []));
  await contract.waitForDeployment();
  const tx = contract.deploymentTransaction();
  return { address: await contract.getAddress(), txHash: tx?.hash ?? '' };
}

export interface Payment {
  recipient: string;
  amount: bigint;
}

/** payBatchPacked's encoding of a list of payments (contracts/PayoutVault.sol). */
export interface PackedBatch {
  /** Every amount is a multiple of it (their greatest common divisor, capped below 2**96). */
  unit: bigint;
  /** Bytes of each amount / unit (1..12). */
  width: number;
  /** Records of 20-byte address + `width`-byte amount / unit, big-endian, hex. */
  packed: string;
}

const MAX_UNIT = (1n << 96n) - 1n;

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * Packs payments for payBatchPacked, or null when one cannot be packed (an amount / unit needs
 * more than 12 bytes; the caller then uses payBatch). The unit is the amounts' common factor, so
 * realistic amounts (multiples of a reward) take one or two bytes instead of twelve.
 */
export function packBatch(payments: Payment[]): PackedBatch | null {
  if (payments.length === 0 || payments.some((p) => p.amount <= 0n))
    throw new RangeError('packBatch needs at least one payment, every amount > 0');
  let unit = payments.reduce((g, p) => gcd(g, p.amount), 0n);
  // A unit of 2**96 or more is legal arithmetic but refused by the vault: fall back to a divisor.
  while (unit > MAX_UNIT) unit = unit % 10n === 0n ? unit / 10n : unit % 2n === 0n ? unit / 2n : 1n;
  const largest = payments.reduce((max, p) => (p.amount / unit > max ? p.amount / unit : max), 0n);
  const width = Math.max(1, Math.ceil(largest.toString(16).length / 2));
  if (width > 12) return null;
  const records = payments.map(
    (p) => getAddress(p.recipient).slice(2).toLowerCase() + (p.amount / unit).toString(16).padStart(width * 2, '0'),
  );
  return { unit, width, packed: `0x${records.join('')}` };
}

export function unpackBatch(batch: PackedBatch): Payment[] {
  const hex = batch.packed.replace(/^0x/, '');
  const stride = (20 + batch.width) * 2;
  if (batch.width < 1 || batch.width > 12 || hex.length % stride !== 0)
    throw new RangeError('not a whole number of packed records');
  const out: Payment[] = [];
  for (let i = 0; i < hex.length; i += stride) {
    out.push({
      recipient: getAddress(`0x${hex.slice(i, i + 40)}`),
      amount: BigInt(`0x${hex.slice(i + 40, i + stride)}`) * batch.unit,
    });
  }
  return out;
}

/** A decoded custom error (ours or the token's), e.g. `{ name: 'BatchAlreadyPaid', args: [batchId] }`. */
export interface DecodedContractError {
  name: string;
  args: unknown[];
}

/**
 * Decodes the revert data carried by an ethers error (from a call, estimateGas or send) with
 * the PayoutVault and LabelToken ABIs (token errors bubble up through the vault).
 * null when there is no revert data or it matches none of them.
 */
export function decodeContractError(error: unknown): DecodedContractError | null {
  const data = findRevertData(error);
  if (data === null) return null;
  for (const name of ['PayoutVault', 'LabelToken'] as const) {
    const parsed = contractInterface(name).parseError(data);
    if (parsed !== null) return { name: parsed.name, args: [...parsed.args] };
  }
  return null;
}

function findRevertData(error: unknown, depth = 0): string | null {
  if (error === null || typeof error !== 'object' || depth > 4) return null;
  const e = error as { data?: unknown; error?: unknown; info?: { error?: unknown } };
  if (typeof e.data === 'string' && e.data.startsWith('0x') && e.data.length >= 10) return e.data;
  return findRevertData(e.error, depth + 1) ?? findRevertData(e.info?.error, depth + 1);
}
