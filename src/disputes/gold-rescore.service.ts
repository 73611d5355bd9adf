import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit';
import { CLOCK, type Clock } from '../common/clock';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { inTransaction } from '../database/transaction';
import { DatasetLifecycleService } from '../datasets/dataset-lifecycle.service';
import { faultPoint } from '../payouts/fault-injection';
import { isGamingBlock } from '../quality/gold-gaming';
import { rescoreWorker } from '../quality/rescore';
import { workerQuality } from '../quality/worker-quality';
import { LateAcceptanceService } from '../tasks/late-acceptance.service';
import { freeReserve, lockReserve, spendReserve } from './dispute-reserve';
import { GoldRescoreRepository, type RescoreJob, type RescoreTerms } from './gold-rescore.repository';

export interface RescoreProgress {
  workers: number;
  accepted: number;
  unblocked: number;
  finished: boolean;
}

// The background re-score after a reviewer corrected or retired a gold item. Every worker who
// answered that item is handled in turn: their decided assignments are re-scored on the gold as
// it is now and their verdicts replayed with the same pure functions (quality/rescore.ts); a
// REJECTED assignment that now passes is accepted and paid once (LateAcceptanceService; its
// earning is keyed by the assignment), an ACCEPTED one that would now fail stays ACCEPTED (no
// clawbacks), and a worker blocked for gold accuracy who no longer fails the bar is unblocked; a
// worker blocked for knowing the gold gets nothing accepted.
// Chunked: one transaction per RESCORE_CHUNK_WORKERS workers, which also advances the cursor —
// so a re-score killed midway resumes after the last chunk that committed, and one run twice (or
// on two workers at once: the re-score row serialises them) changes nothing the second time.
@Injectable()
export class GoldRescoreService {
  private readonly logger = new Logger(GoldRescoreService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rescores: GoldRescoreRepository,
    private readonly lateAcceptance: LateAcceptanceService,
    private readonly lifecycle: DatasetLifecycleService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /** Runs the re-score to its end (from wherever it stopped). */
  async run(rescoreId: string): Promise<RescoreProgress> {
    const total: RescoreProgress = { workers: 0, accepted: 0, unblocked: 0, finished: false };
    for (;;) {
      const chunk = await inTransaction(this.dataSource, (manager) => this.chunk(manager, rescoreId));
      if (chunk === null) return total;
      total.workers += chunk.progress.workers;
      total.accepted += chunk.progress.accepted;
      total.unblocked += chunk.progress.unblocked;
      // An acceptance that took back an open slot may have finished the dataset's last task.
      if (chunk.progress.accepted > 0)
        await this.lifecycle.completeAfter(chunk.datasetId, { askedBy: 'review', after: 'a gold re-score' });
      if (chunk.progress.finished) return { ...total, finished: true };
    }
  }

  /** Resumes every unfinished re-score (the periodic scan: the net under a lost job). */
  async resumeAll(): Promise<number> {
    const ids = await this.rescores.unfinished(this.dataSource.manager, 100);
    for (const id of ids) await this.run(id);
    return ids.length;
  }

  private async chunk(
    manager: EntityManager,
    rescoreId: string,
  ): Promise<{ datasetId: string; progress: RescoreProgress } | null> {
    const job = await this.rescores.lock(manager, rescoreId);
    if (!job || job.finished) return null;
    const now = this.clock.now();
    const workers = await this.rescores.nextWorkers(manager, {
      itemId: job.itemId,
      after: job.cursor,
      limit: this.config.rescoreChunkWorkers,
    });
    if (workers.length === 0) {
      await this.rescores.finish(manager, { id: job.id, at: now });
      await recordAudit(manager, {
        actorId: null,
        action: 'dispute.rescore-finished',
        subject: `item:${job.itemId}`,
        data: { rescoreId: job.id },
      });
      return { datasetId: job.datasetId, progress: { workers: 0, accepted: 0, unblocked: 0, finished: true } };
    }
    const reserve = await lockReserve(manager, job.datasetId);
    const terms = await this.rescores.terms(manager, job.datasetId);
    const purse = { earmarkLeft: job.earmarkLeft, free: freeReserve(reserve), fromEarmark: 0n };
    const progress: RescoreProgress = { workers: workers.length, accepted: 0, unblocked: 0, finished: false };
    for (const workerId of workers) {
      const outcome = await this.rescoreOne(manager, { job, workerId, terms, purse, now });
      progress.accepted += outcome.accepted;
      progress.unblocked += outcome.unblocked ? 1 : 0;
    }
    await this.rescores.advance(manager, {
      id: job.id,
      cursor: workers[workers.length - 1],
      paidFromEarmark: purse.fromEarmark,
      workers: workers.length,
      accepted: progress.accepted,
      unblocked: progress.unblocked,
    });
    // Fault tests: a re-score killed inside its second chunk, with the first one committed.
    if (job.cursor !== null) faultPoint('mid-rescore');
    return { datasetId: job.datasetId, progress };
  }

  private async rescoreOne(
    manager: EntityManager,
    params: {
      job: RescoreJob;
      workerId: string;
      terms: RescoreTerms;
      purse: { earmarkLeft: bigint; free: bigint; fromEarmark: bigint };
      now: Date;
    },
  ): Promise<{ accepted: number; unblocked: boolean }> {
    const { job, workerId, terms, purse } = params;
    const key = { workerId, datasetId: job.datasetId };
    const stats = await this.rescores.lockWorkerStats(manager, key);
    if (!stats) return { accepted: 0, unblocked: false };
    const decided = await this.rescores.lockDecided(manager, key);
    const result = rescoreWorker({
      kind: terms.kind,
      decided,
      window: this.config.verdictWindowGold,
      minGoldAccuracy: terms.minGoldAccuracy,
      knowsGold: isGamingBlock(stats),
    });
    await this.rescores.saveScores(
      manager,
      result.scores.filter(
        (s, i) => s.goldCorrect !== decided[i].storedCorrect || s.goldTotal !== decided[i].storedTotal,
      ),
    );
    const quality = workerQuality({
      goldCorrect: result.goldCorrect,
      goldSeen: result.goldSeen,
      minGoldAccuracy: terms.minGoldAccuracy,
      minGoldAnswers: this.config.qualityMinGoldAnswers,
    });
    // Only a block for gold accuracy is lifted here, and only when the record on the current gold
    // no longer fails the bar; a gaming block, or one still deserved, stays.
    const unblock = stats.blocked && stats.blockReason === 'GOLD_ACCURACY' && !quality.block;
    await this.rescores.saveWorkerRecord(manager, {
      ...key,
      goldSeen: result.goldSeen,
      goldCorrect: result.goldCorrect,
      recentGold: result.recentGold,
      estimatedAccuracy: quality.estimatedAccuracy,
      unblock,
    });
    let accepted = 0;
    for (const assignmentId of result.nowPassing) {
      const outcome = await this.lateAcceptance.accept(manager, {
        assignmentId,
        at: params.now,
        payFromReserve: (amount) => this.pay(manager, { datasetId: job.datasetId, amount, purse }),
      });
      if (outcome.outcome === 'ACCEPTED') accepted++;
      if (outcome.outcome === 'UNFUNDED')
        this.logger.warn(
          { assignmentId, rescoreId: job.id },
          'a re-score could not pay an assignment that now passes: the dispute reserve is exhausted',
        );
    }
    return { accepted, unblocked: unblock };
  }

  // From this re-score's earmark first, then from the reserve nothing else holds.
  private async pay(
    manager: EntityManager,
    params: { datasetId: string; amount: bigint; purse: { earmarkLeft: bigint; free: bigint; fromEarmark: bigint } },
  ): Promise<boolean> {
    const { amount, purse } = params;
    if (purse.earmarkLeft >= amount) {
      purse.earmarkLeft -= amount;
      purse.fromEarmark += amount;
    } else if (purse.free >= amount) {
      purse.free -= amount;
    } else {
      return false;
    }
    await spendReserve(manager, { datasetId: params.datasetId, amount });
    return true;
  }
}
