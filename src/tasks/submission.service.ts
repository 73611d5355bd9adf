import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { DomainError, notFound } from '../common/domain-error';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { inTransaction } from '../database/transaction';
import { DatasetLifecycleService } from '../datasets/dataset-lifecycle.service';
import { DatasetStatus } from '../datasets/dataset-status';
import { recordSpend } from '../datasets/dataset-funds';
import { recordEarning } from '../ledger/earnings';
import { scoreGold } from '../quality/gold-scoring';
import { WorkerStatsRepository } from '../quality/worker-stats.repository';
import { assignmentVerdict } from '../quality/worker-quality';
import { enqueueInTransaction } from '../queues/outbox';
import { checkSubmission, submissionHash, type NormalisedAnswer, type SubmittedAnswer } from './answer-validation';
import { AssignmentsRepository, type AssignmentRow, type TaskItemView } from './assignments.repository';
import type { AssignmentView } from './assignment-view';
import { SubmissionRepository, type DatasetTerms, type GoldLabel } from './submission.repository';
import { isUuid } from '../common/ids';
import { submitPath } from './submit-rules';

// What the transaction tells the caller to do after it commits.
type Outcome = { ok: true; status: AssignmentRow['status']; mayComplete: boolean } | { ok: false; error: DomainError };

@Injectable()
export class SubmissionService {
  private readonly logger = new Logger(SubmissionService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assignments: AssignmentsRepository,
    private readonly submissions: SubmissionRepository,
    private readonly workerStats: WorkerStatsRepository,
    private readonly lifecycle: DatasetLifecycleService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  // Stores, scores and settles a submission in ONE transaction: answers, verdict, worker stats,
  // counters, money, earning and the consensus job commit together or not at all. Retrying the
  // same answers returns the stored result and writes nothing.
  async submit(params: { workerId: string; assignmentId: string; answers: SubmittedAnswer[] }): Promise<AssignmentView> {
    if (!isUuid(params.assignmentId)) throw notFound('Assignment');
    let assignment: AssignmentRow | undefined;
    const outcome = await inTransaction(this.dataSource, async (manager): Promise<Outcome> => {
      const locked = await this.submissions.lockForSubmit(manager, { id: params.assignmentId, workerId: params.workerId });
      if (!locked) throw notFound('Assignment');
      assignment = locked.assignment;
      const { terms, gold } = locked;
      const check = checkSubmission({ itemIds: assignment.itemIds, answers: params.answers, schema: terms.labelSchema });
      const hash = check.ok ? submissionHash(check.answers) : null;
      const now = this.clock.now();
      const path = submitPath({ status: assignment.status, expiresAt: assignment.expiresAt, now, storedHash: assignment.submissionHash, hash });
      switch (path.kind) {
        case 'replay':
          return { ok: true, status: assignment.status, mayComplete: false };
        case 'refuse':
          throw new DomainError(path.code, path.message);
        case 'expire':
          // Commit the expiry (the slot goes back now), then refuse.
          await this.assignments.endActive(manager, { ids: [assignment.id], status: 'EXPIRED' });
          return { ok: false, error: new DomainError('LEASE_EXPIRED', 'The lease on this assignment expired; claim a new task') };
        case 'score':
          if (!check.ok) throw new DomainError(check.code, check.message);
          if (terms.status === DatasetStatus.CANCELLED) throw new DomainError('DATASET_NOT_OPEN', 'This dataset was cancelled; its assignments can no longer be submitted');
          return { ok: true, ...(await this.score(manager, { assignment, answers: check.answers, hash: hash as string, terms, gold, now })) };
      }
    });
    if (!outcome.ok) throw outcome.error;
    const done = assignment as AssignmentRow;
    if (outcome.mayComplete) await this.completeIfDone(done.datasetId);
    return { id: done.id, datasetId: done.datasetId, status: outcome.status, expiresAt: done.expiresAt, items: { ids: done.itemIds } };
  }

  // Payloads of items in the order given (for an Assignment whose items a query selects).
  items(itemIds: string[]): Promise<TaskItemView[]> {
    return this.assignments.loadItems(this.dataSource.manager, itemIds);
  }

  // The verdict, and whether this acceptance filled its task on a dataset whose completion is the
  // tasks engine's to trigger.
  private async score(manager: EntityManager, params: { assignment: AssignmentRow; answers: NormalisedAnswer[]; hash: string; terms: DatasetTerms; gold: GoldLabel[]; now: Date }): Promise<{ status: 'ACCEPTED' | 'REJECTED'; mayComplete: boolean }> {
    const { assignment, answers, terms, now } = params;
    const goldIds = new Set(assignment.goldItemIds);
    const valueOf = new Map(answers.map((a) => [a.itemId, a.value]));
    const score = scoreGold({ kind: terms.labelSchema.kind, answers: params.gold.map((g) => ({ itemId: g.id, answer: valueOf.get(g.id), gold: g.goldLabel })) });
    const verdict = assignmentVerdict({ goldCorrect: score.correct, goldTotal: score.total, minGoldAccuracy: terms.minGoldAccuracy });
    const accepted = verdict === 'ACCEPTED';
    const key = { assignmentId: assignment.id, datasetId: assignment.datasetId, workerId: assignment.workerId };

    const counted = await this.submissions.recordOutcome(manager, {
      ...key,
      taskId: assignment.taskId,
      answers,
      goldItemIds: assignment.goldItemIds,
      regularItemIds: assignment.itemIds.filter((id) => !goldIds.has(id)),
      status: verdict,
      submittedAt: now,
      hash: params.hash,
      goldCorrect: score.correct,
      goldTotal: score.total,
    });
    await this.recordQuality(manager, { ...key, answers: answers.length, score, minGoldAccuracy: terms.minGoldAccuracy });
    if (!accepted) return { status: verdict, mayComplete: false };
    await this.settle(manager, { ...key, answers: answers.length, reward: terms.rewardPerAnswer, reachedWanted: counted.reachedWanted, now });
    // With dynamic overlap the last accepted answer is not the end: consensus may still ask for
    // more, so completing is left to it (DatasetLifecycleService.markCompletedIfDone after it
    // has decided). Without overlap, the last task's last acceptance is the end.
    return { status: verdict, mayComplete: counted.taskFull && terms.maxAnswersPerItem <= terms.answersPerItem };
  }

  // After the commit, so of two submissions finishing the last two tasks the later one sees both.
  // Completion itself is the datasets area's (its own transaction, idempotent, audited).
  private async completeIfDone(datasetId: string): Promise<void> {
    try {
      if (await this.submissions.allTasksDone(this.dataSource.manager, datasetId)) await this.lifecycle.markCompletedIfDone(datasetId);
    } catch (error) {
      this.logger.warn({ err: error, datasetId }, 'could not complete dataset after its last submission');
    }
  }

  private async recordQuality(manager: EntityManager, params: { workerId: string; datasetId: string; answers: number; score: { correct: number; total: number }; minGoldAccuracy: number | null }): Promise<void> {
    await this.workerStats.recordSubmission(manager, {
      workerId: params.workerId,
      datasetId: params.datasetId,
      answers: params.answers,
      goldSeen: params.score.total,
      goldCorrect: params.score.correct,
      minGoldAccuracy: params.minGoldAccuracy,
      minGoldAnswers: this.config.qualityMinGoldAnswers,
    });
  }

  // Money and follow-ups of an accepted assignment. Every answer (regular and gold) is paid.
  private async settle(manager: EntityManager, params: { assignmentId: string; datasetId: string; workerId: string; answers: number; reward: bigint; reachedWanted: boolean; now: Date }): Promise<void> {
    const amount = params.reward * BigInt(params.answers);
    const availableAt = new Date(params.now.getTime() + this.config.payoutHoldSeconds * 1000);
    await recordEarning(manager, { accountId: params.workerId, datasetId: params.datasetId, assignmentId: params.assignmentId, amount, availableAt });
    if (params.reachedWanted) {
      await enqueueInTransaction(manager, { name: 'consensus.aggregate-items', payload: { datasetId: params.datasetId }, jobId: `agg:${params.datasetId}:${params.assignmentId}` });
    }
    // From committed to spent: a stripe of the dataset's spend, not its row, so acceptances on one
    // dataset do not queue on one lock. The commitment already holds this price: the slot was
    // paid for when the dataset was published (or topped up), and rejected slots are not paid.
    await recordSpend(manager, { datasetId: params.datasetId, assignmentId: params.assignmentId, amount });
  }
}
