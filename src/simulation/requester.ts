import { NonceManager, Wallet, type JsonRpcProvider } from 'ethers';
import { connectLabelToken, connectPayoutVault } from '../chain/contracts';
import { formatTokenAmount, parseTokenAmount } from '../common/money';
import type { ApiClient, Session } from './api-client';
import type { SimItem } from './crowd';
import { setTimeout as pause } from 'node:timers/promises';
import type { SimulationOptions } from './options';

// The AI team's side of a run, through the public API and the chain: a dataset with gold,
// uploaded as NDJSON, funded from the requester's own wallet (dev faucet → approve → deposit),
// published; at the end, the unspent budget refunded to that wallet.

export interface ChainInfo {
  chainId: number;
  rpcUrl: string;
  tokenAddress: string;
  vaultAddress: string;
  decimals: number;
  symbol: string;
}

export interface FundedDataset {
  id: string;
  depositKey: string;
  deposited: bigint;
  depositGas: number;
  /** The vault's and the requester's token balances just before the deposit. */
  vaultBefore: bigint;
  requesterBefore: bigint;
}

const FAUCET_MAX = 10_000n;

/** What the dataset can cost at most: every item at maxAnswersPerItem, gold answers included, plus a half for reviews and slack. */
export function depositFor(options: SimulationOptions, items: number, decimals: number): bigint {
  const reward = parseTokenAmount(options.reward, decimals);
  const tasks = BigInt(Math.ceil((items * options.maxAnswersPerItem) / options.itemsPerTask));
  return (tasks * BigInt(options.itemsPerTask + 1) * reward * 3n) / 2n;
}

export async function createAndFund(params: {
  api: ApiClient;
  requester: Session;
  wallet: Wallet;
  chain: ChainInfo;
  provider: JsonRpcProvider;
  options: SimulationOptions;
  items: readonly SimItem[];
  /** The crowd's classes (--classes, or those of a --dataset). */
  classes: readonly string[];
  appealWindowSeconds: number;
}): Promise<FundedDataset> {
  const { api, requester, chain, options, provider } = params;
  const regular = params.items.filter((i) => !i.gold).length;
  const { createDataset: created } = await api.gql<{ createDataset: { id: string; depositKey: string } }>(
    'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id depositKey } }',
    {
      i: {
        name: `Simulation ${new Date().toISOString()}`,
        instructions: 'Pick the class that fits the item.',
        labelSchema: { kind: 'SINGLE_CHOICE', classes: params.classes },
        answersPerItem: options.answersPerItem,
        maxAnswersPerItem: options.maxAnswersPerItem,
        targetConfidence: options.targetConfidence,
        itemsPerTask: options.itemsPerTask,
        goldPerTask: 1,
        minGoldAccuracy: 0.6,
        rewardPerAnswer: options.reward,
        reviewReward: options.reward,
        leaseSeconds: 30,
        appealWindowSeconds: params.appealWindowSeconds,
      },
    },
    requester.token,
  );
  await upload(api, requester, created.id, params.items);

  const amount = depositFor(options, regular, chain.decimals);
  const one = 10n ** BigInt(chain.decimals);
  for (let left = amount; left > 0n; ) {
    const chunk = left < FAUCET_MAX * one ? left : FAUCET_MAX * one;
    const { devFaucet } = await api.gql<{ devFaucet: string }>(
      'mutation($a: String!, $n: TokenAmount!) { devFaucet(address: $a, amount: $n) }',
      { a: requester.address, n: formatTokenAmount(chunk, chain.decimals) },
      requester.token,
    );
    await provider.waitForTransaction(devFaucet);
    left -= chunk;
  }
  await waitForGasMoney(provider, params.wallet.address);
  const signer = new NonceManager(params.wallet.connect(provider));
  const token = connectLabelToken(chain.tokenAddress, provider);
  const payer = connectLabelToken(chain.tokenAddress, signer);
  const vault = connectPayoutVault(chain.vaultAddress, signer);
  const vaultBefore = await token.balanceOf(chain.vaultAddress);
  const requesterBefore = (await token.balanceOf(params.wallet.address)) - amount;
  const approve = await (await payer.approve(chain.vaultAddress, amount)).wait();
  const deposit = await (await vault.deposit(created.depositKey, amount)).wait();
  const budget = formatTokenAmount(amount, chain.decimals);
  await until(async () => {
    const { dataset } = await api.gql<{ dataset: { budget: string } }>(
      'query($d: ID!) { dataset(id: $d) { budget } }',
      { d: created.id },
      requester.token,
    );
    return dataset.budget === budget;
  }, 120_000);
  await api.gql('mutation($d: ID!) { publishDataset(id: $d) { status } }', { d: created.id }, requester.token);
  return {
    id: created.id,
    depositKey: created.depositKey,
    deposited: amount,
    depositGas: Number((approve?.gasUsed ?? 0n) + (deposit?.gasUsed ?? 0n)),
    vaultBefore,
    requesterBefore,
  };
}

async function upload(api: ApiClient, requester: Session, datasetId: string, items: readonly SimItem[]): Promise<void> {
  const body = items
    .map((item) =>
      JSON.stringify({
        externalId: item.ref,
        payload: { ref: item.ref },
        ...(item.gold ? { goldLabel: item.truth } : {}),
      }),
    )
    .join('\n');
  const res = await api.request(`/datasets/${datasetId}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${requester.token}` },
    body,
  });
  const result = (await res.json()) as { inserted?: number; rejectedCount?: number };
  if (!res.ok || result.inserted !== items.length)
    throw new Error(`upload stored ${result.inserted ?? 0} of ${items.length} items: ${JSON.stringify(result)}`);
}

async function waitForGasMoney(provider: JsonRpcProvider, address: string): Promise<void> {
  await until(async () => (await provider.getBalance(address)) > 0n, 60_000);
}

/** Polls `check` until it is true; throws after `ms`. */
export async function until(check: () => Promise<boolean>, ms: number, every = 500): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${ms / 1000} s`);
    await pause(every);
  }
}

/** Refunds what is left once the product says it is refundable; answers the amount sent. */
export async function refundRest(params: {
  api: ApiClient;
  requester: Session;
  datasetId: string;
  decimals: number;
  waitMs: number;
}): Promise<bigint> {
  const { api, requester, datasetId } = params;
  const read = async () =>
    (
      await api.gql<{ dataset: { refundable: string; refunded: string; committed: string } }>(
        'query($d: ID!) { dataset(id: $d) { refundable refunded committed } }',
        { d: datasetId },
        requester.token,
      )
    ).dataset;
  await until(async () => parseTokenAmount((await read()).refundable, params.decimals) > 0n, params.waitMs, 1000);
  await api.gql('mutation($d: ID!) { refundDataset(id: $d) { refunded } }', { d: datasetId }, requester.token);
  return parseTokenAmount((await read()).refunded, params.decimals);
}
