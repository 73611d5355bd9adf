import { Injectable } from '@nestjs/common';
import { ChainService } from '../chain/chain.service';
import { decodeContractError, packBatch, type DecodedContractError } from '../chain/contracts';
import { gasLimitFor, networkFeesOf, type Fees } from '../chain/fees';
import { SignerService } from '../chain/signer.service';
import { isUnreachable } from '../chain/tx-errors';
import type { Manifest } from './manifest';
import type { PayoutBatchEntity } from './payout-batch.entity';
import type { ChainObservation } from './send-decision';

const PAYOUT_GAS_BASE = 100_000n;
const PAYOUT_GAS_PER_RECIPIENT = 40_000n;

export interface BatchPaidEvent {
  txHash: string;
  blockNumber: number;
  blockHash: string;
  manifestHash: string;
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

  /** payBatchPacked (22-byte records for realistic amounts) unless an amount cannot be packed. */
  calldata(params: { manifest: Manifest; manifestHash: string }): string {
    const { vault } = this.chain.require();
    const { manifest, manifestHash } = params;
    const packed = packBatch(manifest.recipients.map((r) => ({ recipient: r.address, amount: r.amount })));
    return packed
      ? vault.interface.encodeFunctionData('payBatchPacked', [manifest.batchId, manifestHash, packed.unit, packed.width, packed.packed])
      : vault.interface.encodeFunctionData('payBatch', [manifest.batchId, manifestHash, manifest.recipients.map((r) => r.address), manifest.recipients.map((r) => r.amount)]);
  }

  /** Observation order matters (see send-decision.ts): nonce, paid, receipt, head. */
  async observe(batch: PayoutBatchEntity): Promise<ChainObservation> {
    const { provider, vault } = this.chain.require();
    const minedNonce = await this.signer.minedNonce();
    const paidEvent = (await vault.paid(batch.batchId)) ? await this.findBatchPaid(batch.batchId, batch.fromBlock === null ? 0 : Number(batch.fromBlock)) : null;
    const receipt = batch.txHash ? await provider.getTransactionReceipt(batch.txHash) : null;
    const txKnown = batch.txHash ? receipt !== null || (await provider.getTransaction(batch.txHash)) !== null : false;
    const head = await provider.getBlockNumber();
    return {
      head,
      minedNonce,
      paid: paidEvent && { blockNumber: paidEvent.blockNumber, blockHash: paidEvent.blockHash, txHash: paidEvent.txHash, manifestHash: paidEvent.manifestHash },
      receipt: receipt && { status: receipt.status ?? 0, blockNumber: receipt.blockNumber },
      txKnown,
    };
  }

  async isPaid(batchId: string): Promise<boolean> {
    return this.chain.require().vault.paid(batchId);
  }

  async findBatchPaid(batchId: string, fromBlock: number): Promise<BatchPaidEvent | null> {
    const { provider, vault, settings } = this.chain.require();
    const topic = vault.interface.getEvent('BatchPaid')!.topicHash;
    let logs = await provider.getLogs({ address: settings.vaultAddress, topics: [topic, batchId], fromBlock, toBlock: 'latest' });
    // from_block is a hint; an event before it (clock skew between nodes) is still found.
    if (logs.length === 0 && fromBlock > 0) logs = await provider.getLogs({ address: settings.vaultAddress, topics: [topic, batchId], fromBlock: 0, toBlock: 'latest' });
    const log = logs.at(-1);
    if (!log) return null;
    const parsed = vault.interface.parseLog(log)!;
    return { txHash: log.transactionHash.toLowerCase(), blockNumber: log.blockNumber, blockHash: log.blockHash.toLowerCase(), manifestHash: String(parsed.args.manifestHash).toLowerCase(), recipients: BigInt(parsed.args.recipients), total: BigInt(parsed.args.total) };
  }

  /**
   * Dry-runs the call and picks its gas limit. The limit comes from a generous linear model
   * (PAYOUT_GAS_BASE + PAYOUT_GAS_PER_RECIPIENT a recipient: an ERC-20 transfer to a fresh holder
   * costs ~26k) and the dry run is made WITH that limit, so a token too costly for the model
   * fails the dry run without revert data and gets a real eth_estimateGas instead. One EVM run
   * a batch instead of estimateGas's several: on the dev chain that is most of the overhead.
   */
  async preflight(params: { data: string; recipients: number }): Promise<{ gasLimit: bigint } | { revert: DecodedContractError }> {
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
