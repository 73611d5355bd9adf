import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { ChainIdentityService } from '../chain/chain-identity.service';
import { ChainService } from '../chain/chain.service';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { QUEUES, type JobPayloads } from '../queues/queue-names';
import { BatchBuilderService } from './batch-builder.service';
import { PayoutReconcilerService, RECONCILE_GRACE_SECONDS } from './payout-reconciler.service';
import { PayoutSenderService } from './payout-sender.service';

// Thin: jobs carry ids only and every handler is safe to run twice or on two workers at once.
// None runs on a chain that is not the database's (ChainIdentityService).
@Processor(QUEUES.payouts)
@Injectable()
export class PayoutsProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly builder: BatchBuilderService,
    private readonly sender: PayoutSenderService,
    private readonly reconciler: PayoutReconcilerService,
    private readonly chain: ChainService,
    private readonly identity: ChainIdentityService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @InjectQueue(QUEUES.payouts) private readonly queue: Queue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.chain.available) return;
    const repeat = (every: number) => ({ repeat: { every: every * 1000 }, removeOnComplete: true, removeOnFail: 100 });
    if (this.config.payoutIntervalSeconds > 0)
      await this.queue.add(
        'payouts.build-batches',
        {},
        { ...repeat(this.config.payoutIntervalSeconds), jobId: 'payouts.build-batches' },
      );
    if (this.config.payoutReconcileSeconds > 0)
      await this.queue.add(
        'payouts.reconcile',
        {},
        { ...repeat(this.config.payoutReconcileSeconds), jobId: 'payouts.reconcile' },
      );
    // Recovery on start: finish whatever a crashed worker left PENDING or SUBMITTED.
    await this.queue.add(
      'payouts.reconcile',
      { boot: true },
      { jobId: `payouts.reconcile:boot:${process.pid}:${Date.now()}`, removeOnComplete: true, removeOnFail: 100 },
    );
  }

  @Process('payouts.build-batches')
  async build(): Promise<number> {
    await this.identity.assertSameChain();
    return (await this.builder.buildAll()).length;
  }

  @Process({ name: 'payouts.send-batch', concurrency: 4 })
  async send(job: Job<JobPayloads['payouts.send-batch']>): Promise<string | null> {
    await this.identity.assertSameChain();
    return this.sender.drive(job.data.batchId);
  }

  @Process('payouts.reconcile')
  async reconcile(job: Job<JobPayloads['payouts.reconcile']>): Promise<number> {
    await this.identity.assertSameChain();
    return (await this.reconciler.reconcileAll({ graceSeconds: job.data.boot ? 0 : RECONCILE_GRACE_SECONDS })).checked;
  }
}
