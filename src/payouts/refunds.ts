import { randomUUID } from 'node:crypto';
import { keccak256, toUtf8Bytes } from 'ethers';
import type { EntityManager } from 'typeorm';
import { enqueueInTransaction } from '../queues/outbox';
import { hashText } from './manifest-hash';
import { buildRefundManifest, canonicalRefundJson } from './refund-manifest';

/** refund_id = keccak256(UTF-8 of "refund:" + the refund uuid): never equal to a batch id. */
export function refundIdOf(refundUuid: string): string {
  return keccak256(toUtf8Bytes(`refund:${refundUuid.toLowerCase()}`));
}

// Called inside the transaction that decides the refund (DatasetRefundService): the refund row
// (a payout_batches row of kind REFUND, with its canonical manifest and hash) and its send job
// commit with the decision or not at all. From here the payout sender takes it: signed
// transaction stored before broadcast, nonce reserved, reconciled and re-sent after a reorg.
export async function recordRefund(
  manager: EntityManager,
  params: {
    datasetId: string;
    datasetKey: string;
    to: string;
    amount: bigint;
    chain: { chainId: number; vaultAddress: string; tokenAddress: string };
  },
): Promise<{ id: string; refundId: string }> {
  const id = randomUUID();
  const refundId = refundIdOf(id);
  const manifest = buildRefundManifest({
    chainId: params.chain.chainId,
    vault: params.chain.vaultAddress,
    token: params.chain.tokenAddress,
    refundId,
    datasetId: params.datasetId,
    datasetKey: params.datasetKey,
    to: params.to,
    amount: params.amount,
  });
  const text = canonicalRefundJson(manifest);
  await manager.query(
    `INSERT INTO payout_batches (id, kind, dataset_id, batch_id, manifest_hash, manifest, recipients, total) VALUES ($1, 'REFUND', $2, $3, $4, $5, 1, $6)`,
    [id, params.datasetId, refundId, hashText(text), text, params.amount.toString()],
  );
  await enqueueInTransaction(manager, {
    name: 'payouts.send-batch',
    payload: { batchId: id },
    jobId: `payouts.send-batch:${id}`,
  });
  return { id, refundId };
}
