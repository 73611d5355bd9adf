import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Transaction } from 'ethers';
import { DataSource } from 'typeorm';
import { LOCKS, withSessionLock } from '../database/advisory-locks';
import { ChainService } from './chain.service';
import { initialFees, networkFeesOf } from './fees';
import { classifyBroadcastError, type BroadcastOutcome } from './tx-errors';

export interface UnsignedCall {
  to: string;
  data: string;
  nonce: bigint;
  gasLimit: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** Highest nonce a caller has promised to a signed-but-maybe-not-broadcast transaction. */
export type NonceReservations = () => Promise<bigint | null>;

// The single place nonces of the operator key are handed out. Every send runs inside
// withLock(): a PostgreSQL session advisory lock per signer address, so two worker processes
// (or the faucet and a payout) never pick the same nonce. Next nonce = max(the node's pending
// count, every reserved nonce + 1): a payout batch stores its signed transaction before
// broadcasting it, and that stored nonce stays reserved even if the node never saw it.
@Injectable()
export class SignerService {
  private readonly logger = new Logger(SignerService.name);
  private readonly reservations: NonceReservations[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly chain: ChainService,
  ) {}

  get address(): string {
    return this.chain.require().wallet.address.toLowerCase();
  }

  registerReservations(source: NonceReservations): void {
    this.reservations.push(source);
  }

  withLock<T>(work: () => Promise<T>): Promise<T> {
    return withSessionLock(this.dataSource, { namespace: LOCKS.signerNamespace, name: this.address }, work);
  }

  /** Call only inside withLock(). */
  async nextNonce(): Promise<bigint> {
    const { provider } = this.chain.require();
    let next = BigInt(await provider.getTransactionCount(this.address, 'pending'));
    for (const source of this.reservations) {
      const reserved = await source();
      if (reserved !== null && reserved + 1n > next) next = reserved + 1n;
    }
    return next;
  }

  /** The node's `pending` nonce: transactions of the signer it can execute, mined or not. */
  async pendingNonce(): Promise<bigint> {
    const { provider } = this.chain.require();
    return BigInt(await provider.getTransactionCount(this.address, 'pending'));
  }

  /**
   * Call only inside withLock(). Fills every nonce from the node's pending nonce up to `below`
   * that no stored transaction holds (`reserved`: those are re-sent by their owners) with an
   * empty self-transfer, so the transactions above it can be mined. Such a gap is left by a
   * transaction the node accepted and then lost (e.g. a faucet mint dropped from the mempool
   * after a payout had already taken the next nonce); nothing of ours records it to re-send.
   */
  async fillGaps(params: { below: bigint; reserved: ReadonlySet<bigint> }): Promise<bigint[]> {
    const { provider } = this.chain.require();
    const filled: bigint[] = [];
    const fees = initialFees(networkFeesOf(await provider.getFeeData()));
    for (let nonce = await this.pendingNonce(); nonce < params.below; nonce++) {
      if (params.reserved.has(nonce)) continue;
      const signed = await this.sign({ to: this.address, data: '0x', nonce, gasLimit: 21_000n, ...fees });
      const result = await this.broadcast(signed.raw);
      if (result.outcome === 'unreachable') throw result.error;
      this.logger.warn(
        { nonce: nonce.toString(), txHash: signed.hash, outcome: result.outcome },
        'filled a nonce gap of the operator key with an empty transaction',
      );
      filled.push(nonce);
    }
    return filled;
  }

  async minedNonce(): Promise<bigint> {
    const { provider } = this.chain.require();
    return BigInt(await provider.getTransactionCount(this.address, 'latest'));
  }

  /** Signs locally (no network): the hash is known before anything is broadcast. */
  async sign(call: UnsignedCall): Promise<{ raw: string; hash: string }> {
    const { wallet, settings } = this.chain.require();
    const raw = await wallet.signTransaction({
      type: 2,
      chainId: settings.chainId,
      to: call.to,
      data: call.data,
      value: 0n,
      nonce: Number(call.nonce),
      gasLimit: call.gasLimit,
      maxFeePerGas: call.maxFeePerGas,
      maxPriorityFeePerGas: call.maxPriorityFeePerGas,
    });
    return { raw, hash: Transaction.from(raw).hash as string };
  }

  /** Broadcasts signed bytes; a node that already has them is a success, not an error. */
  async broadcast(raw: string): Promise<{ outcome: BroadcastOutcome; error?: unknown }> {
    try {
      await this.chain.require().provider.broadcastTransaction(raw);
      return { outcome: 'accepted' };
    } catch (error) {
      return { outcome: classifyBroadcastError(error), error };
    }
  }
}
