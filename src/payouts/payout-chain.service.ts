import { Injectable } from '@nestjs/common';
import { ChainService } from '../chain/chain.service';
import { decodeContractError, packBatch, type DecodedContractError } from '../chain/contracts';
import { gasLimitFor, networkFeesOf, type Fees } from '../chain/fees';
import { SignerService } from '../chain/signer.service';
import { isUnreachable } from '../chain/tx-errors';
import { parseManifest } from './manifest';
import { parseRefundManifest } from './refund-manifest';
import type { PayoutBatchEntity } from './payout-batch.entity';
import type { ChainObservation } from './send-decision';

const PAYOUT_GAS_BASE = 100_000n;
const PAYOUT_GAS_PER_RECIPIENT = 40_000n;

/** BatchPaid (a payout) or Refunded (a refund: no manifest hash on chain, one recipient). */
export interface SettlementEvent {
  txHash: string;
  blockNumber: number;
  blockHash: string;
  manifestHash?: string;
  recipients: bigint;
  total: bigint;
}

// What the payout sender asks the chain, through the vault ABI.
@Injectable()
export class PayoutChainService {
  constructor(
    private readonly chain: ChainService,
    private readonly signer: SignerService,
  ) {}

  /**
   * The vault call that settles this row: for a payout, payBatchPacked (22-byte records for
   * realistic amounts) unless an amount cannot be packed, then payBatch; for a refund, refund().
   * The stored manifest is the only input: its hash was checked by the caller.
   */
  calldata(batch: Pick<PayoutBatchEntity, 'kind' | 'manifest' | 'manifestHash'>): string {
    const { vault } = this.chain.require();
    if (batch.kind === 'REFUND') {
      const refund = parseRefundManifest(batch.manifest);
      return vault.interface.encodeFunctionData('refund', [
        refund.refundId,
        refund.datasetKey,
        refund.to,
        refund.amount,
      ]);
    }
    const manifest = parseManifest(JSON.parse(batch.manifest));
    const packed = packBatch(manifest.recipients.map((r) => ({ recipient: r.address, amount: r.amount })));
    return packed
      ? vault.interface.encodeFunctionData('payBatchPacked', [
          manifest.batchId,
          batch.manifestHash,
          packed.unit,
          packed.width,
          packed.packed,
        ])
      : vault.interface.encodeFunctionData('payBatch', [
          manifest.batchId,
          batch.manifestHash,
          manifest.recipients.map((r) => r.address),
          manifest.recipients.map((r) => r.amount),
        ]);
  }

  /** Observation order matters (see send-decision.ts): nonce, paid, receipt, head. */
  async observe(batch: PayoutBatchEntity): Promise<ChainObservation> {
    const { provider } = this.chain.require();
    const minedNonce = await this.signer.minedNonce();
    const pendingNonce = await this.signer.pendingNonce();
    const paidEvent = (await this.isPaid(batch))
      ? await this.findSettlement(batch, batch.fromBlock === null ? 0 : Number(batch.fromBlock))
      : null;
    const receipt = batch.txHash ? await provider.getTransactionReceipt(batch.txHash) : null;
    const txKnown = batch.txHash ? receipt !== null || (await provider.getTransaction(batch.txHash)) !== null : false;
    const head = await provider.getBlockNumber();
    return {
      head,
      minedNonce,
      pendingNonce,
      paid: paidEvent && {
        blockNumber: paidEvent.blockNumber,
        blockHash: paidEvent.blockHash,
        txHash: paidEvent.txHash,
        manifestHash: paidEvent.manifestHash,
      },
      receipt: receipt && { status: receipt.status ?? 0, blockNumber: receipt.blockNumber },
      txKnown,
    };
  }

  /** The vault's replay guard for this row's id: paid(batchId), or refunded(refundId). */
  async isPaid(batch: Pick<PayoutBatchEntity, 'kind' | 'batchId'>): Promise<boolean> {
    const { vault } = this.chain.require();
    return batch.kind === 'REFUND' ? vault.refunded(batch.batchId) : vault.paid(batch.batchId);
  }

  /** The event that settled this row (BatchPaid or Refunded), the latest one when several. */
  async findSettlement(
    batch: Pick<PayoutBatchEntity, 'kind' | 'batchId'>,
    fromBlock: number,
  ): Promise<SettlementEvent | null> {
    const { provider, vault, settings } = this.chain.require();
    const topic = vault.interface.getEvent(batch.kind === 'REFUND' ? 'Refunded' : 'BatchPaid')!.topicHash;
    let logs = await provider.getLogs({
      address: settings.vaultAddress,
      topics: [topic, batch.batchId],
      fromBlock,
      toBlock: 'latest',
    });
    // from_block is a hint; an event before it (clock skew between nodes) is still found.
    if (logs.length === 0 && fromBlock > 0)
      logs = await provider.getLogs({
        address: settings.vaultAddress,
        topics: [topic, batch.batchId],
        fromBlock: 0,
        toBlock: 'latest',
      });
    const log = logs.at(-1);
    if (!log) return null;
    const parsed = vault.interface.parseLog(log)!;
    const settled = {
      txHash: log.transactionHash.toLowerCase(),
      blockNumber: log.blockNumber,
      blockHash: log.blockHash.toLowerCase(),
    };
    if (batch.kind === 'REFUND') return { ...settled, recipients: 1n, total: BigInt(parsed.args.amount) };
    return {
      ...settled,
      manifestHash: String(parsed.args.manifestHash).toLowerCase(),
      recipients: BigInt(parsed.args.recipients),
      total: BigInt(parsed.args.total),
    };
  }

  /**
   * Dry-runs the call and picks its gas limit. The limit comes from a generous linear model
   * (PAYOUT_GAS_BASE + PAYOUT_GAS_PER_RECIPIENT a recipient: an ERC-20 transfer to a fresh holder
   * costs ~26k) and the dry run is made WITH that limit, so a token too costly for the model
   * fails the dry run without revert data and gets a real eth_estimateGas instead. One EVM run
   * a batch instead of estimateGas's several: on the dev chain that is most of the overhead.
   */
  async preflight(params: {
    data: string;
    recipients: number;
  }): Promise<{ gasLimit: bigint } | { revert: DecodedContractError }> {
    const { provider, settings } = this.chain.require();
    const tx = { from: this.signer.address, to: settings.vaultAddress, data: params.data };
    const modelled = PAYOUT_GAS_BASE + PAYOUT_GAS_PER_RECIPIENT * BigInt(params.recipients);
    try {
      await provider.call({ ...tx, gasLimit: modelled });
      return { gasLimit: modelled };
    } catch (error) {
      const decoded = decodeContractError(error);
      if (decoded) return { revert: decoded };
      if (isUnreachable(error)) throw error;
    }
    try {
      return { gasLimit: gasLimitFor(await provider.estimateGas(tx)) };
    } catch (error) {
      const decoded = decodeContractError(error);
      if (decoded) return { revert: decoded };
      throw error;
    }
  }

  async vaultBalance(): Promise<bigint> {
    const { token, settings } = this.chain.require();
    return token.balanceOf(settings.vaultAddress);
  }

  async networkFees(): Promise<Fees> {
    return networkFeesOf(await this.chain.require().provider.getFeeData());
  }

  head(): Promise<number> {
    return this.chain.require().provider.getBlockNumber();
  }

  /** Resolves when the transaction has `confirmations` confirmations, or after timeoutMs. */
  async waitFor(txHash: string, confirmations: number, timeoutMs: number): Promise<void> {
    try {
      await this.chain.require().provider.waitForTransaction(txHash, Math.max(1, confirmations), timeoutMs);
    } catch (error) {
      if ((error as { code?: string }).code !== 'TIMEOUT') throw error;
    }
  }
}
