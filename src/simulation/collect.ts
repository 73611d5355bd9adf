import type { JsonRpcProvider } from 'ethers';
import { connectLabelToken, connectPayoutVault } from '../chain/contracts';
import { parseTokenAmount } from '../common/money';
import type { ApiClient, Session } from './api-client';

// End-of-run reads: what the product says (through its API) and what the chain says, gathered
// for the report. Pages are walked to the end; nothing is sampled.

type Json = Record<string, unknown>;
interface Connection<T> {
  edges: { node: T; cursor?: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export async function allPages<T>(
  api: ApiClient,
  token: string,
  field: string,
  query: string,
  variables: Json = {},
): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  for (;;) {
    const data: Record<string, Connection<T>> = await api.gql(query, { ...variables, after }, token);
    out.push(...data[field].edges.map((e) => e.node));
    if (!data[field].pageInfo.hasNextPage) return out;
    after = data[field].pageInfo.endCursor;
  }
}

export interface ItemResultRow {
  externalId: string;
  label: unknown;
  answers: number;
  status: string;
}
export interface WorkerRow {
  workerId: string;
  answers: number;
  blocked: boolean;
  blockReason: string | null;
}
export interface DisputeRow {
  kind: string;
  status: string;
  outcome: string | null;
}
export interface BatchRow {
  id: string;
  batchId: string;
  status: string;
  total: string;
  txHash: string | null;
  createdAt: string;
}
export interface Earnings {
  pending: bigint;
  available: bigint;
  inFlight: bigint;
  paid: bigint;
}

export const readResults = (api: ApiClient, token: string, datasetId: string) =>
  allPages<ItemResultRow>(
    api,
    token,
    'datasetResults',
    `query($d: ID!, $after: String) { datasetResults(datasetId: $d, after: $after, first: 500) { edges { node { externalId label answers status } } pageInfo { hasNextPage endCursor } } }`,
    { d: datasetId },
  );

export const readWorkers = (api: ApiClient, token: string, datasetId: string) =>
  allPages<WorkerRow>(
    api,
    token,
    'workerQuality',
    `query($d: ID!, $after: String) { workerQuality(datasetId: $d, after: $after, first: 500) { edges { node { workerId answers blocked blockReason } } pageInfo { hasNextPage endCursor } } }`,
    { d: datasetId },
  );

export const readDisputes = (api: ApiClient, token: string, datasetId: string) =>
  allPages<DisputeRow>(
    api,
    token,
    'disputes',
    `query($d: ID, $after: String) { disputes(datasetId: $d, after: $after, first: 100) { edges { node { kind status outcome } } pageInfo { hasNextPage endCursor } } }`,
    { d: datasetId },
  );

export const readBatches = (api: ApiClient, token: string) =>
  allPages<BatchRow>(
    api,
    token,
    'payoutBatches',
    `query($after: String) { payoutBatches(after: $after, first: 100) { edges { node { id batchId status total txHash createdAt } } pageInfo { hasNextPage endCursor } } }`,
  );

/** Assignment id -> status, for one labeler's assignments. */
export async function readAssignmentStatuses(api: ApiClient, session: Session): Promise<Map<string, string>> {
  const rows = await allPages<{ id: string; status: string }>(
    api,
    session.token,
    'myAssignments',
    `query($after: String) { myAssignments(after: $after, first: 100) { edges { node { id status } } pageInfo { hasNextPage endCursor } } }`,
  );
  return new Map(rows.map((r) => [r.id, r.status]));
}

export async function readEarnings(api: ApiClient, session: Session, decimals: number): Promise<Earnings> {
  const { myEarnings: e } = await api.gql<{ myEarnings: Record<keyof Earnings, string> }>(
    '{ myEarnings { pending available inFlight paid } }',
    {},
    session.token,
  );
  const units = (s: string) => parseTokenAmount(s, decimals);
  return { pending: units(e.pending), available: units(e.available), inFlight: units(e.inFlight), paid: units(e.paid) };
}

export async function tokenBalance(provider: JsonRpcProvider, tokenAddress: string, holder: string): Promise<bigint> {
  return connectLabelToken(tokenAddress, provider).balanceOf(holder);
}

/** BatchPaid events per batch id (more than one would be a double payment) and the refunds' gas. */
export async function readVaultEvents(params: {
  provider: JsonRpcProvider;
  vaultAddress: string;
  depositKey: string;
}): Promise<{ batchPaidCount: Map<string, number>; refundGas: number; refunded: bigint }> {
  const vault = connectPayoutVault(params.vaultAddress, params.provider);
  const paidTopic = vault.interface.getEvent('BatchPaid')!.topicHash;
  const refundTopic = vault.interface.getEvent('Refunded')!.topicHash;
  const batchPaidCount = new Map<string, number>();
  for (const log of await params.provider.getLogs({ address: params.vaultAddress, topics: [paidTopic], fromBlock: 0 }))
    batchPaidCount.set(log.topics[1], (batchPaidCount.get(log.topics[1]) ?? 0) + 1);
  let refundGas = 0;
  let refunded = 0n;
  const refunds = await params.provider.getLogs({
    address: params.vaultAddress,
    topics: [refundTopic, null, params.depositKey],
    fromBlock: 0,
  });
  for (const log of refunds) {
    refunded += BigInt(vault.interface.parseLog(log)!.args.amount as bigint);
    refundGas += Number((await params.provider.getTransactionReceipt(log.transactionHash))?.gasUsed ?? 0n);
  }
  return { batchPaidCount, refundGas, refunded };
}

export async function gasOf(provider: JsonRpcProvider, txHash: string | null): Promise<number> {
  if (txHash === null) return 0;
  return Number((await provider.getTransactionReceipt(txHash))?.gasUsed ?? 0n);
}
