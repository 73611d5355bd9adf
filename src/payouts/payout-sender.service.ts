import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ChainService } from '../chain/chain.service';
import { initialFees, replacementFees } from '../chain/fees';
import { SignerService } from '../chain/signer.service';
import { describeError } from '../chain/tx-errors';
import { CLOCK, type Clock } from '../common/clock';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { faultPoint } from './fault-injection';
import { hashText } from './manifest-hash';
import type { PayoutBatchEntity } from './payout-batch.entity';
import { PayoutChainService } from './payout-chain.service';
import { PayoutStatus } from './payout-status';
import { PayoutsRepository } from './payouts.repository';
import { decideSend, type SendAction } from './send-decision';

/** Vault errors that are about our setup, not the batch: wait for an operator, do not fail. */
const CONFIG_ERRORS = new Set(['AccessControlUnauthorizedAccount']);
const MAX_WAIT_MS = 30_000;

// Moves one batch one step towards CONFIRMED (or FAILED). Every step runs under the signer
// lock and starts from a fresh look at the database and the chain, so it is safe to call from
// any number of jobs, workers and reconcile timers at once, any number of times.
@Injectable()
export class PayoutSenderService implements OnModuleInit {
  private readonly logger = new Logger(PayoutSenderService.name);

  constructor(
    private readonly repo: PayoutsRepository,
    private readonly payoutChain: PayoutChainService,
    private readonly signer: SignerService,
    private readonly chain: ChainService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    if (this.chain.available) this.signer.registerReservations(() => this.repo.maxLiveNonce());
  }

  /** One step, then (outside the lock) a bounded wait for the receipt and one more step. */
  async drive(id: string): Promise<PayoutStatus | null> {
    let status = await this.step(id);
    if (status !== PayoutStatus.SUBMITTED) return status;
    const batch = await this.repo.load(id);
    if (batch?.txHash) {
      await this.payoutChain.waitFor(
        batch.txHash,
        this.confirmations,
        Math.min(MAX_WAIT_MS, this.config.payoutTxTimeoutSeconds * 1000),
      );
      status = await this.step(id);
    }
    return status;
  }

  /** Observe, decide, act; returns the status afterwards (null: no such batch). */
  async step(id: string): Promise<PayoutStatus | null> {
    this.chain.require();
    return this.signer.withLock(async () => {
      let batch = await this.repo.load(id);
      if (batch === null || (batch.status === PayoutStatus.FAILED && batch.releasedAt !== null))
        return batch?.status ?? null;
      let chain = await this.payoutChain.observe(batch);
      if (batch.status === PayoutStatus.CONFIRMED && chain.paid === null) {
        this.logger.warn({ batchId: batch.batchId }, 'confirmed payout left the chain (reorg); sending it again');
        await this.repo.reopenConfirmed(id);
        batch = (await this.repo.load(id)) as PayoutBatchEntity;
        chain = await this.payoutChain.observe(batch);
      }
      const state = {
        status: batch.status,
        nonce: batch.nonce === null ? null : BigInt(batch.nonce),
        txHash: batch.txHash,
        hasRawTx: batch.rawTx !== null,
        submittedAt: batch.submittedAt,
        failedBlock: batch.failedBlock === null ? null : Number(batch.failedBlock),
        released: batch.releasedAt !== null,
      };
      const action = decideSend({
        batch: state,
        chain,
        now: this.clock.now(),
        confirmations: this.confirmations,
        txTimeoutMs: this.config.payoutTxTimeoutSeconds * 1000,
        reorgWindow: this.config.chainReorgWindow,
      });
      await this.act(batch, action, chain.head);
      return (await this.repo.load(id))?.status ?? null;
    });
  }

  private get confirmations(): number {
    return this.chain.require().settings.confirmations;
  }

  private async act(batch: PayoutBatchEntity, action: SendAction, head: number): Promise<void> {
    switch (action.kind) {
      case 'confirm':
        if (
          action.manifestHash !== undefined &&
          action.manifestHash.toLowerCase() !== batch.manifestHash.toLowerCase()
        ) {
          // Only the operator can pay a batch id, so this means a second system shares the key.
          this.logger.error(
            { batchId: batch.batchId, onChain: action.manifestHash },
            'batch id paid on chain with another manifest',
          );
        }
        if (await this.repo.markConfirmed(batch.id, { ...action, at: this.clock.now() })) {
          if (batch.status === PayoutStatus.FAILED)
            this.logger.warn(
              { batchId: batch.batchId, txHash: action.txHash },
              'a reorg paid a FAILED batch after all: CONFIRMED, nothing was given back',
            );
          else this.logger.log({ batchId: batch.batchId, txHash: action.txHash }, 'payout confirmed');
        }
        return;
      case 'fail':
        // A mined revert: a deeper reorg could still pay it, so it is watched before release.
        await this.fail(batch, { reason: action.reason, head, final: false });
        return;
      case 'release':
        if (await this.repo.release(batch.id, this.clock.now()))
          this.logger.warn(
            { batchId: batch.batchId },
            'failed payout is final (older than the reorg window): debits reversed',
          );
        return;
      case 'fill-gap':
        await this.signer.fillGaps({ below: BigInt(batch.nonce as string), reserved: await this.repo.liveNonces() });
        return;
      case 'sign-new':
        await this.signNew(batch, head);
        return;
      case 'rebroadcast':
        await this.broadcast(batch, batch.rawTx as string);
        return;
      case 'replace':
        await this.replace(batch);
        return;
      case 'await-confirmations':
      case 'wait':
      case 'none':
        return;
    }
  }

  private async signNew(batch: PayoutBatchEntity, head: number): Promise<void> {
    const data = await this.calldataOf(batch);
    if (data === null) return;
    if (batch.status === PayoutStatus.PENDING) {
      const balance = await this.payoutChain.vaultBalance();
      if (balance < batch.total) {
        // Waiting for deposits is not a failure: the batch stays PENDING and is retried.
        await this.repo.recordError(batch.id, `vault holds ${balance} base units, batch needs ${batch.total}`);
        return;
      }
    }
    const preflight = await this.payoutChain.preflight({ data, recipients: batch.recipients });
    if ('revert' in preflight) {
      const name = preflight.revert.name;
      if (name === 'BatchAlreadyPaid' || name === 'RefundAlreadyPaid') return; // paid meanwhile: the next look confirms it
      if (CONFIG_ERRORS.has(name)) {
        this.logger.error(
          { batchId: batch.batchId, error: name },
          'payout signer is not allowed to pay: check the vault OPERATOR_ROLE',
        );
        await this.repo.recordError(batch.id, `vault refuses the signer: ${name}`);
        return;
      }
      // Final when it was never signed; a transaction signed before could still be mined by a reorg.
      await this.fail(batch, { reason: `would revert: ${name}`, head, final: batch.rawTx === null });
      return;
    }
    const fees = initialFees(await this.payoutChain.networkFees());
    const nonce = await this.signer.nextNonce();
    const gasLimit = preflight.gasLimit;
    const signed = await this.signer.sign({
      to: this.chain.require().settings.vaultAddress,
      data,
      nonce,
      gasLimit,
      ...fees,
    });
    const stored = await this.repo.storeSigned(batch.id, {
      nonce,
      txHash: signed.hash,
      rawTx: signed.raw,
      ...fees,
      gasLimit,
      submittedAt: this.clock.now(),
      fromBlock: head,
    });
    if (!stored) return;
    this.logger.log({ batchId: batch.batchId, nonce: nonce.toString(), txHash: signed.hash }, 'payout signed');
    await this.broadcast(batch, signed.raw);
  }

  private async replace(batch: PayoutBatchEntity): Promise<void> {
    const data = await this.calldataOf(batch);
    if (data === null) return;
    const fees = replacementFees({
      previous: { maxFeePerGas: batch.maxFeePerGas ?? 0n, maxPriorityFeePerGas: batch.maxPriorityFeePerGas ?? 0n },
      network: await this.payoutChain.networkFees(),
    });
    const nonce = BigInt(batch.nonce as string);
    const gasLimit = batch.gasLimit as bigint; // set when first signed
    const signed = await this.signer.sign({
      to: this.chain.require().settings.vaultAddress,
      data,
      nonce,
      gasLimit,
      ...fees,
    });
    if (
      !(await this.repo.storeSigned(batch.id, {
        nonce,
        txHash: signed.hash,
        rawTx: signed.raw,
        ...fees,
        gasLimit,
        submittedAt: this.clock.now(),
        fromBlock: Number(batch.fromBlock ?? 0),
      }))
    )
      return;
    this.logger.warn(
      { batchId: batch.batchId, nonce: nonce.toString(), txHash: signed.hash, replaced: batch.txHash },
      'stuck payout replaced with higher fees',
    );
    await this.broadcast(batch, signed.raw);
  }

  /** The call pays exactly what the stored manifest says, and only if it still hashes to the recorded hash. */
  private async calldataOf(batch: PayoutBatchEntity): Promise<string | null> {
    if (hashText(batch.manifest) !== batch.manifestHash) {
      this.logger.error({ batchId: batch.batchId }, 'stored manifest does not match its hash; refusing to send');
      await this.repo.recordError(batch.id, 'manifest does not match manifest_hash: not sent');
      return null;
    }
    return this.payoutChain.calldata(batch);
  }

  private async broadcast(batch: PayoutBatchEntity, raw: string): Promise<void> {
    faultPoint('before-broadcast');
    const result = await this.signer.broadcast(raw);
    faultPoint('after-broadcast');
    if (result.outcome === 'accepted' || result.outcome === 'already-known' || result.outcome === 'nonce-used') return;
    const message = `broadcast ${result.outcome}: ${describeError(result.error)}`;
    await this.repo.recordError(batch.id, message);
    // Unreachable RPC: throw so the job retries with backoff; the stored transaction is re-sent.
    if (result.outcome === 'unreachable') throw result.error;
    this.logger.warn({ batchId: batch.batchId, outcome: result.outcome }, 'payout broadcast refused');
  }

  private async fail(
    batch: PayoutBatchEntity,
    params: { reason: string; head: number; final: boolean },
  ): Promise<void> {
    if (
      await this.repo.markFailed(batch.id, {
        reason: params.reason,
        at: this.clock.now(),
        block: params.head,
        final: params.final,
      })
    ) {
      this.logger.error(
        { batchId: batch.batchId, reason: params.reason },
        params.final
          ? 'payout batch failed; debits reversed'
          : 'payout batch failed; watched for a reorg until the failure is final',
      );
    }
  }
}
