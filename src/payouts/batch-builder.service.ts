import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { LOCKS, xactLock } from '../database/advisory-locks';
import { ChainService } from '../chain/chain.service';
import { CLOCK, type Clock } from '../common/clock';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { inTransaction } from '../database/transaction';
import { enqueueInTransaction } from '../queues/outbox';
import { buildManifest, canonicalManifestJson } from './manifest';
import { batchIdOf, hashText } from './manifest-hash';
import { BatchBuildRepository } from './batch-build.repository';
import type { PayoutBatchEntity } from './payout-batch.entity';
import { planPayouts } from './payout-plan';

// The sender's gas model allows 40k a recipient (a fresh-holder transfer costs ~26k): 700
// recipients (28.1M) is the most that fits a 30M-gas block, whatever PAYOUT_MAX_RECIPIENTS says.
export const MAX_RECIPIENTS_PER_TX = 700;
const MAX_BATCHES_PER_RUN = 200;

// Builds payout batches from the settlement queue. One batch = one transaction that claims
// the entries (BatchBuildRepository.takeEntries), writes the PAYOUT debits, the batch row with
// its canonical manifest, the items, and the outbox row of its send job.
// Builders are serialised by an advisory transaction lock; the DELETE claims each entry once
// even without it, so no earning can land in two batches.
@Injectable()
export class BatchBuilderService {
  private readonly logger = new Logger(BatchBuilderService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly builds: BatchBuildRepository,
    private readonly chain: ChainService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Builds batches until no account is payable. Returns the new batches. */
  async buildAll(): Promise<PayoutBatchEntity[]> {
    this.chain.require();
    const built: PayoutBatchEntity[] = [];
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
      const batch = await inTransaction(this.dataSource, (manager) => this.buildOne(manager));
      if (batch === null) break;
      built.push(batch);
    }
    if (built.length)
      this.logger.log(
        { batches: built.length, recipients: built.reduce((n, b) => n + b.recipients, 0) },
        'payout batches built',
      );
    return built;
  }

  private async buildOne(manager: EntityManager): Promise<PayoutBatchEntity | null> {
    const { settings } = this.chain.require();
    await xactLock(manager, LOCKS.buildBatches);
    const now = this.clock.now();
    const minAmount = this.config.payoutMinUnits;
    const limit = Math.min(this.config.payoutMaxRecipients, MAX_RECIPIENTS_PER_TX);
    const accounts = await this.builds.payableAccounts(manager, { now, minAmount, limit });
    if (accounts.length === 0) return null;
    const taken = await this.builds.takeEntries(manager, { accountIds: accounts.map((a) => a.accountId), now });
    const plan = planPayouts({
      entries: taken,
      addresses: new Map(accounts.map((a) => [a.accountId, a.address])),
      minAmount,
    });
    if (plan.returned.length) {
      const back = new Set(plan.returned.map((r) => r.entryId));
      await this.builds.putBack(
        manager,
        taken.filter((e) => back.has(e.entryId)),
      );
    }
    if (plan.recipients.length === 0) return null;

    const id = randomUUID();
    const batchId = batchIdOf(id);
    const manifest = buildManifest({
      chainId: settings.chainId,
      vault: settings.vaultAddress,
      token: settings.tokenAddress,
      batchId,
      recipients: plan.recipients,
    });
    const text = canonicalManifestJson(manifest);
    const batch = await this.builds.insertBatch(manager, {
      batch: {
        id,
        batchId,
        manifestHash: hashText(text),
        manifest: text,
        recipients: plan.recipients.length,
        total: manifest.total,
      },
      items: plan.recipients,
      debitedAt: now,
    });
    await enqueueInTransaction(manager, {
      name: 'payouts.send-batch',
      payload: { batchId: id },
      jobId: `payouts.send-batch:${id}`,
    });
    return batch;
  }
}
