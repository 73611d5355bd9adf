import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { DomainError, notFound } from '../common/domain-error';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { inTransaction } from '../database/transaction';
import { DatasetStatus } from '../datasets/dataset-status';
import { scoreGold } from '../quality/gold-scoring';
import { WorkerStatsRepository } from '../quality/worker-stats.repository';
import { verdictDue } from '../quality/verdict-rule';
import { enqueueInTransaction } from '../queues/outbox';
import { checkSubmission, submissionHash, type NormalisedAnswer, type SubmittedAnswer } from './answer-validation';
import { AssignmentsRepository, type AssignmentRow, type TaskItemView } from './assignments.repository';
import type { AssignmentView } from './assignment-view';
import { SubmissionRepository, type DatasetTerms, type GoldLabel } from './submission.repository';
import { isUuid } from '../common/ids';
import { submitPath } from './submit-rules';

// What the transaction tells the caller after it commits.
type Outcome = { ok: true; status: AssignmentRow['status']; submittedAt: Date | null; verdictAt: Date | null } | { ok: false; error: DomainError };

@Injectable()
export class SubmissionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assignments: AssignmentsRepository,
    private readonly submissions: SubmissionRepository,
    private readonly workerStats: WorkerStatsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  // Stores and scores a submission in ONE transaction: the answers, the assignment's move to
  // SUBMITTED with its gold score and the worker's pending counters commit together or not at
  // all. The verdict (ACCEPTED / REJECTED, with counters and money) is published later, in a
  // batch per worker (VerdictService), so the answer here never tells whether a gold answer was
  // right. Retrying the same answers returns the stored result and writes nothing.
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
          return { ok: true, status: assignment.status, submittedAt: assignment.submittedAt, verdictAt: assignment.verdictAt };
        case 'refuse':
          throw new DomainError(path.code, path.message);
        case 'expire':
          // Commit the expiry (the slot goes back now), then refuse.
          await this.assignments.endActive(manager, { ids: [assignment.id], status: 'EXPIRED' });
          return { ok: false, error: new DomainError('LEASE_EXPIRED', 'The lease on this assignment expired; claim a new task') };
        case 'score':
          if (!check.ok) throw new DomainError(check.code, check.message);
          if (terms.status === DatasetStatus.CANCELLED) throw new DomainError('DATASET_NOT_OPEN', 'This dataset was cancelled; its assignments can no longer be submitted');
          await this.store(manager, { assignment, answers: check.answers, hash: hash as string, terms, gold, now });
          return { ok: true, status: 'SUBMITTED', submittedAt: now, verdictAt: null };
      }
    });
    if (!outcome.ok) throw outcome.error;
    const done = assignment as AssignmentRow;
    return { id: done.id, datasetId: done.datasetId, status: outcome.status, expiresAt: done.expiresAt, submittedAt: outcome.submittedAt, verdictAt: outcome.verdictAt, items: { ids: done.itemIds } };
  }

  // Payloads of items in the order given (for an Assignment whose items a query selects).
  items(itemIds: string[]): Promise<TaskItemView[]> {
    return this.assignments.loadItems(this.dataSource.manager, itemIds);
  }

  // Stores the answers with the assignment's gold score, counts the submission as pending for
  // its worker and, when the worker's pending batch is due, asks for its verdict through the
  // outbox (in this transaction, so a crash cannot lose the request; the periodic verdict scan
  // is the second net).
  private async store(manager: EntityManager, params: { assignment: AssignmentRow; answers: NormalisedAnswer[]; hash: string; terms: DatasetTerms; gold: GoldLabel[]; now: Date }): Promise<void> {
    const { assignment, answers, terms, now } = params;
    const valueOf = new Map(answers.map((a) => [a.itemId, a.value]));
    const score = scoreGold({ kind: terms.labelSchema.kind, answers: params.gold.map((g) => ({ itemId: g.id, answer: valueOf.get(g.id), gold: g.goldLabel })) });
    const key = { assignmentId: assignment.id, datasetId: assignment.datasetId, workerId: assignment.workerId };
    await this.submissions.recordSubmission(manager, { ...key, answers, goldItemIds: assignment.goldItemIds, submittedAt: now, hash: params.hash, goldCorrect: score.correct, goldTotal: score.total });
    const { pendingGold } = await this.workerStats.recordPending(manager, { workerId: key.workerId, datasetId: key.datasetId, answers: answers.length, goldTotal: score.total });
    const due = verdictDue({
      pendingGold,
      minGold: this.config.verdictMinGold,
      oldestSubmittedAt: now,
      now,
      maxDelaySeconds: this.config.verdictMaxDelaySeconds,
      goldPerTask: terms.goldPerTask,
      minGoldAccuracy: terms.minGoldAccuracy,
    });
    if (due) await enqueueInTransaction(manager, { name: 'tasks.decide-verdicts', payload: { workerId: key.workerId, datasetId: key.datasetId }, jobId: `verdict:${key.assignmentId}` });
  }
}
