import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChainService } from '../chain/chain.service';
import { describeError } from '../chain/tx-errors';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { PayoutChainService } from './payout-chain.service';
import { PayoutSenderService } from './payout-sender.service';
import { PayoutsRepository } from './payouts.repository';

export interface ReconcileResult {
  checked: number;
  errors: number;
}

// Recovery, on worker start and on a timer ('payouts.reconcile'): every PENDING/SUBMITTED
// batch, and every CONFIRMED one still inside the reorg window, gets one sender step. Needs
// no memory of what happened before a crash: the database and the chain say it all.
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

  async reconcileAll(): Promise<ReconcileResult> {
    if (!this.chain.available) return { checked: 0, errors: 0 };
    const head = await this.payoutChain.head();
    const ids = [...(await this.repo.liveIds()), ...(await this.repo.recentlyConfirmedIds(head - this.config.chainReorgWindow))];
    let errors = 0;
    for (const id of ids) {
      try {
        await this.sender.step(id);
      } catch (error) {
        errors++;
        this.logger.warn({ batch: id, error: describeError(error) }, 'payout reconcile step failed; retried on the next run');
      }
    }
    return { checked: ids.length, errors };
  }
}
