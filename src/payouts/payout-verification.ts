// The checks verify-payout prints: the stored manifest against its hash and the batch record,
// and against what the chain recorded (the BatchPaid event and the paying call's arguments).
// Pure: the caller fetches, this compares.
import { manifestProblem, type Manifest } from './manifest';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerificationInput {
  requestedBatchId: string;
  record: { batchId: string; manifestHash: string; total: bigint; recipients: number };
  manifest: Manifest;
  /** keccak256 of the canonical text of `manifest`, computed by the caller. */
  recomputedHash: string;
  chain: {
    chainId: number;
    vault: string | null;
    paid: boolean;
    event: { manifestHash: string; recipients: bigint; total: bigint; txHash: string; blockNumber: number } | null;
    /** Recipients and amounts decoded from the paying transaction's calldata. */
    call: { batchId: string; manifestHash: string; recipients: string[]; amounts: bigint[] } | null;
  };
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function verifyPayout(input: VerificationInput): Check[] {
  const { manifest, record, chain } = input;
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string): void => void checks.push({ name, ok, detail });
  const problem = manifestProblem(manifest);
  add(
    'manifest is canonical',
    problem === null,
    problem ?? `${manifest.recipients.length} recipients, total ${manifest.total}`,
  );
  add(
    'manifest hash',
    same(input.recomputedHash, record.manifestHash),
    `recomputed ${input.recomputedHash}, recorded ${record.manifestHash}`,
  );
  add(
    'batch id',
    same(manifest.batchId, input.requestedBatchId) && same(record.batchId, input.requestedBatchId),
    `manifest ${manifest.batchId}, record ${record.batchId}`,
  );
  add(
    'record matches manifest',
    record.total === manifest.total && record.recipients === manifest.recipients.length,
    `record: ${record.recipients} recipients, total ${record.total}`,
  );
  add('chain id', manifest.chainId === chain.chainId, `manifest ${manifest.chainId}, chain ${chain.chainId}`);
  if (chain.vault !== null)
    add('vault address', same(manifest.vault, chain.vault), `manifest ${manifest.vault}, configured ${chain.vault}`);
  add('vault says paid', chain.paid, chain.paid ? 'paid(batchId) = true' : 'paid(batchId) = false');
  const event = chain.event;
  add(
    'BatchPaid event',
    event !== null &&
      same(event.manifestHash, input.recomputedHash) &&
      event.recipients === BigInt(manifest.recipients.length) &&
      event.total === manifest.total,
    event === null
      ? 'no BatchPaid event for this batch id'
      : `tx ${event.txHash} block ${event.blockNumber}: ${event.recipients} recipients, total ${event.total}, manifest ${event.manifestHash}`,
  );
  const call = chain.call;
  const callMatches =
    call !== null &&
    same(call.batchId, manifest.batchId) &&
    same(call.manifestHash, input.recomputedHash) &&
    call.recipients.length === manifest.recipients.length &&
    manifest.recipients.every((r, i) => same(call.recipients[i], r.address) && call.amounts[i] === r.amount);
  add(
    'paid recipients and amounts',
    callMatches,
    call === null
      ? 'paying transaction not found or not a vault payout'
      : callMatches
        ? 'every recipient and amount as in the manifest'
        : 'the transaction paid different recipients or amounts',
  );
  return checks;
}
