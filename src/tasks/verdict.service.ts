import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { inTransaction } from '../database/transaction';
import { DatasetLifecycleService } from '../datasets/dataset-lifecycle.service';
import { faultPoint } from '../payouts/fault-injection';
import { isGamingBlock } from '../quality/gold-gaming';
import { scoreAssignments } from '../quality/gold-scoring';
import { decideVerdict, verdictDue, type Verdict } from '../quality/verdict-rule';
import { workerQuality } from '../quality/worker-quality';
import {
  VerdictRepository,
  type DecidedStats,
  type PendingSubmission,
  type ScoredSubmission,
  type VerdictTerms,
} from './verdict.repository';

const OVERDUE_BATCH = 500;

export interface PublishedVerdicts {
  verdict: Verdict;
  assignments: number;
}

// Publishes verdicts: a worker's pending submissions on a dataset are decided together, on their
// recent gold record (quality/verdict-rule.ts), in one transaction with everything a verdict
// moves — counters, the earning, the spend, the consensus job and the worker's block — so a
// crash between submit and verdict (or in the middle of one) leaves submissions SUBMITTED and the
// next run decides them, exactly once. Safe on every worker replica at once: the worker's stats
// row serialises batches of one worker on one dataset.
@Injectable()
export class VerdictService {
  private readonly logger = new Logger(VerdictService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly verdicts: VerdictRepository,
    private readonly lifecycle: DatasetLifecycleService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  // The worker's pending batch on the dataset, if it is due; null when nothing was decided.
  async decide(key: { workerId: string; datasetId: string }): Promise<PublishedVerdicts | null> {
    const outcome = await inTransaction(this.dataSource, (manager) => this.decideIn(manager, key));
    if (outcome?.mayComplete) await this.completeIfDone(key.datasetId);
    return outcome && { verdict: outcome.verdict, assignments: outcome.assignments };
  }

  // Every batch whose oldest submission has waited VERDICT_MAX_DELAY_SECONDS (the periodic
  // scan, and the net under a verdict request lost with its process). Returns batches decided.
  async publishOverdue(): Promise<number> {
    let decided = 0;
    for (;;) {
      const before = new Date(this.clock.now().getTime() - this.config.verdictMaxDelaySeconds * 1000);
      const due = await this.verdicts.overdue(this.dataSource.manager, { before, limit: OVERDUE_BATCH });
      let progressed = 0;
      for (const key of due) if (await this.decide(key)) progressed++;
      decided += progressed;
      if (due.length < OVERDUE_BATCH || progressed === 0) break;
    }
    if (decided) this.logger.log({ batches: decided }, 'verdicts published');
    return decided;
  }

  private async decideIn(
    manager: EntityManager,
    key: { workerId: string; datasetId: string },
  ): Promise<(PublishedVerdicts & { mayComplete: boolean }) | null> {
    const locked = await this.verdicts.lockBatch(manager, key);
    if (!locked) return null;
    const { state, terms } = locked;
    // Gold is scored here, not at submit (which so does nothing that depends on gold), on the
    // labels as they are now, with the function the gold re-score of decided work uses.
    const scores = scoreAssignments(terms.labelKind, locked.pending);
    const pending: ScoredSubmission[] = locked.pending.map((p, i) => ({ ...p, ...scores[i] }));
    const now = this.clock.now();
    const goldTotal = sum(pending, (p) => p.goldTotal);
    const goldCorrect = sum(pending, (p) => p.goldCorrect);
    const due = verdictDue({
      pendingGold: goldTotal,
      minGold: this.config.verdictMinGold,
      oldestSubmittedAt: pending[0].submittedAt,
      now,
      maxDelaySeconds: this.config.verdictMaxDelaySeconds,
      goldPerTask: terms.goldPerTask,
      minGoldAccuracy: terms.minGoldAccuracy,
    });
    if (!due) {
      // Not yet: the next due submit asks again. Gold retired since it was shown counts no more,
      // and the pending counter follows.
      await this.verdicts.keepWaiting(manager, {
        ...key,
        recounted: pending.filter((p) => p.goldTotal !== p.goldShown),
      });
      return null;
    }
    const decision = decideVerdict({
      pending,
      recentGold: state.recentGold,
      minGoldAccuracy: terms.minGoldAccuracy,
      window: this.config.verdictWindowGold,
      // What still waited when a GOLD_GAMING block came, or is submitted from a lease held since.
      knowsGold: isGamingBlock(state),
    });
    const { verdict } = decision;
    // The worker's whole gold record after this batch (the row is locked, so the totals read with
    // the lock plus the batch are exact) decides the block.
    const stats: DecidedStats = {
      decided: pending.length,
      goldShown: sum(pending, (p) => p.goldShown),
      goldTotal,
      goldCorrect,
      recentGold: decision.recentGold,
      block: workerQuality({
        goldCorrect: state.goldCorrect + goldCorrect,
        goldSeen: state.goldSeen + goldTotal,
        minGoldAccuracy: terms.minGoldAccuracy,
        minGoldAnswers: this.config.qualityMinGoldAnswers,
      }).block,
    };
    let mayComplete = false;
    if (verdict === 'ACCEPTED') {
      mayComplete = await this.accept(manager, { ...key, pending, terms, stats, now });
    } else {
      await this.verdicts.reject(manager, { ...key, scored: pending, at: now, stats });
    }
    // Everything of the verdict is written but not committed: a crash here must leave none of it.
    faultPoint('mid-verdict');
    return { verdict, assignments: pending.length, mayComplete };
  }

  // Counters, money and follow-ups of accepted submissions, in one statement. Every answer
  // (regular and gold) is paid; the earning's idempotency key is the assignment, so it exists once
  // whatever happens.
  private async accept(
    manager: EntityManager,
    params: {
      workerId: string;
      datasetId: string;
      pending: ScoredSubmission[];
      terms: VerdictTerms;
      stats: DecidedStats;
      now: Date;
    },
  ): Promise<boolean> {
    const { pending, terms, now } = params;
    const availableAt = new Date(now.getTime() + this.config.payoutHoldSeconds * 1000);
    const counted = await this.verdicts.accept(manager, {
      workerId: params.workerId,
      datasetId: params.datasetId,
      scored: pending,
      regularItemIds: pending.flatMap((p) => regularItems(p)),
      at: now,
      stats: params.stats,
      earnings: pending.map((p) => ({
        accountId: params.workerId,
        datasetId: params.datasetId,
        assignmentId: p.id,
        amount: terms.rewardPerAnswer * BigInt(p.itemIds.length),
        availableAt,
      })),
      consensusJob: {
        name: 'consensus.aggregate-items',
        payload: { datasetId: params.datasetId },
        jobId: `agg:${params.datasetId}:${pending[0].id}`,
      },
    });
    // Only an acceptance that filled its task can have been the last; whether the dataset is
    // complete is the datasets area's decision (completionDue).
    return counted.taskFull;
  }

  // After the commit, so of two verdicts finishing the last two tasks the later one sees both.
  // allTasksDone is a cheap filter (no open slot left), not a decision: completion is decided and
  // applied by the datasets area alone (markCompletedIfDone: own transaction, idempotent, audited).
  private async completeIfDone(datasetId: string): Promise<void> {
    const done = await this.verdicts.allTasksDone(this.dataSource.manager, datasetId).catch((error: unknown) => {
      this.logger.warn({ err: error, datasetId }, 'could not check whether the dataset is done after a verdict');
      return false;
    });
    if (done) await this.lifecycle.completeAfter(datasetId, { askedBy: 'verdict', after: 'a verdict' });
  }
}

function regularItems(p: PendingSubmission): string[] {
  const gold = new Set(p.goldItemIds);
  return p.itemIds.filter((id) => !gold.has(id));
}

function sum<T>(list: readonly T[], of: (x: T) => number): number {
  return list.reduce((total, x) => total + of(x), 0);
}
