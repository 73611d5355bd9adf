// What one deposit scan changes, from the Deposited logs the node returns now for a block
// range and what the database recorded earlier. Pure.
//
// Reorg handling: every scan re-reads the last CHAIN_REORG_WINDOW confirmed blocks. A recorded
// deposit inside the re-read range that the node no longer returns left the canonical chain:
// it is REVERSED (its credit taken back). If it comes back later (re-mined), it is credited
// again. A deposit seen at a different block (same tx, new block hash) is just moved.
import { DepositStatus } from './deposit-status';

export interface SeenDeposit {
  txHash: string;
  logIndex: number;
  blockNumber: number;
  blockHash: string;
  datasetKey: string;
  from: string;
  amount: bigint;
}

export interface RecordedDeposit {
  id: string;
  txHash: string;
  logIndex: number;
  blockNumber: number;
  blockHash: string;
  datasetKey: string;
  datasetId: string | null;
  amount: bigint;
  status: DepositStatus;
}

export interface DepositScanPlan {
  inserts: (SeenDeposit & { datasetId: string | null; status: DepositStatus })[];
  /** REVERSED deposits seen again: credited again (or UNMATCHED when no dataset has the key). */
  restores: {
    id: string;
    datasetId: string | null;
    amount: bigint;
    blockNumber: number;
    blockHash: string;
    status: DepositStatus;
  }[];
  moves: { id: string; blockNumber: number; blockHash: string }[];
  reversals: { id: string; datasetId: string | null; amount: bigint; wasCredited: boolean }[];
}

const keyOf = (d: { txHash: string; logIndex: number }): string => `${d.txHash.toLowerCase()}:${d.logIndex}`;

export function planDepositScan(params: {
  seen: SeenDeposit[];
  recorded: RecordedDeposit[];
  range: { from: number; to: number };
  datasetByKey: ReadonlyMap<string, string>;
}): DepositScanPlan {
  const plan: DepositScanPlan = { inserts: [], restores: [], moves: [], reversals: [] };
  const recorded = new Map(params.recorded.map((r) => [keyOf(r), r]));
  const seenKeys = new Set<string>();
  const statusFor = (datasetId: string | null): DepositStatus =>
    datasetId === null ? DepositStatus.UNMATCHED : DepositStatus.CREDITED;
  for (const seen of params.seen) {
    const key = keyOf(seen);
    if (seenKeys.has(key)) continue; // a node answering a log twice must not credit twice
    seenKeys.add(key);
    const existing = recorded.get(key);
    if (existing === undefined) {
      const datasetId = params.datasetByKey.get(seen.datasetKey.toLowerCase()) ?? null;
      plan.inserts.push({ ...seen, datasetId, status: statusFor(datasetId) });
    } else if (existing.status === DepositStatus.REVERSED) {
      const datasetId = existing.datasetId ?? params.datasetByKey.get(existing.datasetKey.toLowerCase()) ?? null;
      plan.restores.push({
        id: existing.id,
        datasetId,
        amount: existing.amount,
        blockNumber: seen.blockNumber,
        blockHash: seen.blockHash,
        status: statusFor(datasetId),
      });
    } else if (
      existing.blockHash.toLowerCase() !== seen.blockHash.toLowerCase() ||
      existing.blockNumber !== seen.blockNumber
    ) {
      plan.moves.push({ id: existing.id, blockNumber: seen.blockNumber, blockHash: seen.blockHash });
    }
  }
  for (const existing of params.recorded) {
    if (existing.status === DepositStatus.REVERSED || seenKeys.has(keyOf(existing))) continue;
    if (existing.blockNumber < params.range.from || existing.blockNumber > params.range.to) continue;
    plan.reversals.push({
      id: existing.id,
      datasetId: existing.datasetId,
      amount: existing.amount,
      wasCredited: existing.status === DepositStatus.CREDITED,
    });
  }
  return plan;
}

/** The block range one scan re-reads: the reorg window below the cursor up to the last confirmed block. */
export function scanRange(params: {
  cursor: number | null;
  head: number;
  confirmations: number;
  window: number;
  startBlock: number;
  maxRange: number;
}): { from: number; to: number } | null {
  const safe = params.head - Math.max(1, params.confirmations) + 1;
  const from = Math.max(
    params.startBlock,
    params.cursor === null ? params.startBlock : params.cursor - params.window + 1,
  );
  const to = Math.min(safe, from + params.maxRange - 1);
  return to >= from ? { from, to } : null;
}
