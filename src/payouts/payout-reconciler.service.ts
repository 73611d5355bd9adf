import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChainService } from '../chain/chain.service';
import { describeError } from '../chain/tx-errors';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { PayoutChainService } from './payout-chain.service';
import { PayoutStatus } from './payout-status';
import { PayoutSenderService } from './payout-sender.service';
import { PayoutsRepository } from './payouts.repository';

/** A live batch untouched this long has lost its send job (or it is waiting on the chain). */
export const RECONCILE_GRACE_SECONDS = 30;

export interface ReconcileResult {
  checked: number;
  errors: number;
}

// Recovery, on worker start and on a timer ('payouts.reconcile'): every PENDING/SUBMITTED
// batch, every FAILED one not yet released (a reorg may still pay it; released once the failure
// is older than the reorg window), and every CONFIRMED one still inside the reorg window whose
// payment the vault no longer shows gets one sender step. Needs no memory of what happened
// before a crash: the database and the chain say it all.
@Injectable()
export class PayoutReconcilerService {
  private readonly logger = new Logger(PayoutReconcilerService.name);

  constructor(
    private readonly repo: PayoutsRepository,
    private readonly sender: PayoutSenderService,
    private readonly payoutChain: PayoutChainService,
    private readonly chain: ChainService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /**
   * graceSeconds: leave alone batches changed that recently — their send job is on them (the
   * timer passes RECONCILE_GRACE_SECONDS; worker start passes 0 and looks at everything).
   */
  async reconcileAll(options: { graceSeconds?: number } = {}): Promise<ReconcileResult> {
    if (!this.chain.available) return { checked: 0, errors: 0 };
    const head = await this.payoutChain.head();
    const ids = [...(await this.repo.liveIds(options.graceSeconds ?? 0)), ...(await this.repo.watchedFailedIds())];
    // A confirmed batch needs a full (locked) step only if the vault no longer says paid.
    for (const batch of await this.repo.recentlyConfirmed(head - this.config.chainReorgWindow)) {
      if (!(await this.payoutChain.isPaid(batch))) ids.push(batch.id);
    }
    let errors = 0;
    for (const id of ids) {
      try {
        // A second look right after sending confirms at once when the chain is that quick.
        if ((await this.sender.step(id)) === PayoutStatus.SUBMITTED) await this.sender.step(id);
      } catch (error) {
        errors++;
        this.logger.warn(
          { batch: id, error: describeError(error) },
          'payout reconcile step failed; retried on the next run',
        );
      }
    }
    return { checked: ids.length, errors };
  }
}
