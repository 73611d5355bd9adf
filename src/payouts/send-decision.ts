// The payout sender's state machine: from what the database says about a batch and what the
// chain says now, the one next step. Pure: the service observes, calls decide(), acts.
//
// The chain must be observed in this order: signer nonce, then vault.paid / BatchPaid, then
// the receipt. A transaction mined between two reads then shows up as paid, never as "nonce
// used by something else" (which would trigger a pointless re-sign the vault would reject).
import { PayoutStatus } from './payout-status';

export interface BatchState {
  status: PayoutStatus;
  nonce: bigint | null;
  txHash: string | null;
  hasRawTx: boolean;
  submittedAt: Date | null;
  /** FAILED: chain head when it failed (null otherwise). */
  failedBlock: number | null;
  /** FAILED and given back (debits reversed / refund undone): nothing left to watch. */
  released: boolean;
}

export interface ChainObservation {
  head: number;
  /** Transactions of the signer already mined (the `latest` nonce). */
  minedNonce: bigint;
  /** The node's `pending` nonce: executable transactions of the signer, mined or not. Below the
   *  batch's nonce, a lower nonce is missing (a lost transaction): the batch cannot be mined. */
  pendingNonce: bigint;
  /** The vault's BatchPaid event for this batch id, when vault.paid(batchId) is true. */
  paid: { blockNumber: number; blockHash: string; txHash: string; manifestHash?: string } | null;
  /** Receipt of the batch's current transaction. */
  receipt: { status: number; blockNumber: number } | null;
  /** The node knows the current transaction (pending or mined). */
  txKnown: boolean;
}

export type SendAction =
  | { kind: 'confirm'; blockNumber: number; blockHash: string; txHash: string; manifestHash?: string }
  | { kind: 'await-confirmations' }
  | { kind: 'fail'; reason: string }
  /** Sign with a fresh nonce (first send, or the old nonce went to another transaction). */
  | { kind: 'sign-new' }
  /** The node lost the stored transaction while its nonce is still free: send the same bytes. */
  | { kind: 'rebroadcast' }
  /** Pending past the timeout: same nonce, higher fees. */
  | { kind: 'replace' }
  /** A lower nonce of the signer is missing (e.g. a lost faucet transaction): fill the gap. */
  | { kind: 'fill-gap' }
  /** FAILED for longer than the reorg window and not paid: give back what it held. */
  | { kind: 'release' }
  | { kind: 'wait' }
  | { kind: 'none' };

export function confirmationsOf(head: number, blockNumber: number): number {
  return head >= blockNumber ? head - blockNumber + 1 : 0;
}

export function decideSend(params: {
  batch: BatchState;
  chain: ChainObservation;
  now: Date;
  confirmations: number;
  txTimeoutMs: number;
  reorgWindow: number;
}): SendAction {
  const { batch, chain } = params;
  const needed = Math.max(1, params.confirmations);
  if (batch.status === PayoutStatus.FAILED)
    return decideFailed({ batch, chain, needed, reorgWindow: params.reorgWindow });
  if (chain.paid !== null) {
    if (batch.status === PayoutStatus.CONFIRMED) return { kind: 'none' };
    if (confirmationsOf(chain.head, chain.paid.blockNumber) >= needed) return { kind: 'confirm', ...chain.paid };
    return { kind: 'await-confirmations' };
  }
  // Not paid. A CONFIRMED batch here lost its block to a reorg: it is treated as SUBMITTED.
  if (batch.status === PayoutStatus.PENDING || batch.nonce === null || batch.txHash === null || !batch.hasRawTx)
    return { kind: 'sign-new' };
  if (chain.receipt !== null) {
    if (chain.receipt.status === 0) {
      return confirmationsOf(chain.head, chain.receipt.blockNumber) >= needed
        ? { kind: 'fail', reason: 'transaction reverted' }
        : { kind: 'await-confirmations' };
    }
    // Mined successfully yet not paid: a read raced a reorg. Look again next time.
    return { kind: 'wait' };
  }
  if (chain.minedNonce > batch.nonce) return { kind: 'sign-new' };
  if (!chain.txKnown) return { kind: 'rebroadcast' };
  if (chain.pendingNonce < batch.nonce) return { kind: 'fill-gap' };
  const age = batch.submittedAt === null ? Infinity : params.now.getTime() - batch.submittedAt.getTime();
  return age >= params.txTimeoutMs ? { kind: 'replace' } : { kind: 'wait' };
}

// A FAILED batch whose transaction a reorg deeper than the confirmations could still get mined
// successfully: while the failure is inside the reorg window it keeps its debits (its earnings
// are not in the settlement queue, so no later batch can pay them) and is watched; paid after
// all → CONFIRMED; still unpaid once the window has passed → released.
function decideFailed(params: {
  batch: BatchState;
  chain: ChainObservation;
  needed: number;
  reorgWindow: number;
}): SendAction {
  const { batch, chain } = params;
  if (batch.released) return { kind: 'none' };
  if (chain.paid !== null)
    return confirmationsOf(chain.head, chain.paid.blockNumber) >= params.needed
      ? { kind: 'confirm', ...chain.paid }
      : { kind: 'await-confirmations' };
  if (batch.failedBlock === null || chain.head - batch.failedBlock >= params.reorgWindow) return { kind: 'release' };
  return { kind: 'wait' };
}
