import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { DomainError, notFound } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { retryingConflicts } from '../database/transaction';
import { DatasetStatus } from '../datasets/dataset-status';
import { scoreGold } from '../quality/gold-scoring';
import { checkSubmission, submissionHash, type SubmittedAnswer } from './answer-validation';
import { AssignmentsRepository, type AssignmentRow, type TaskItemView } from './assignments.repository';
import type { AssignmentView } from './assignment-view';
import { SubmissionRepository } from './submission.repository';
import { submitPath } from './submit-rules';

@Injectable()
export class SubmissionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assignments: AssignmentsRepository,
    private readonly submissions: SubmissionRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  // Stores and scores a submission: a read to validate and score the answers, then ONE statement
  // (submit_assignment) that re-checks the state under the assignment's lock and stores the
  // answers, the SUBMITTED state with its gold score, the worker's pending counters and, when the
  // worker's batch is due, the verdict request (outbox) — together or not at all. The verdict
  // (ACCEPTED / REJECTED, with counters and money) is published later, in a batch per worker
  // (VerdictService), so the answer here never tells whether a gold answer was right. Retrying the
  // same answers returns the stored result and writes nothing.
  async submit(params: {
    workerId: string;
    assignmentId: string;
    answers: SubmittedAnswer[];
  }): Promise<AssignmentView> {
    if (!isUuid(params.assignmentId)) throw notFound('Assignment');
    const read = await this.submissions.read({ id: params.assignmentId, workerId: params.workerId });
    if (!read) throw notFound('Assignment');
    const { assignment, terms, gold } = read;
    const view = (
      status: AssignmentRow['status'],
      times: { submittedAt: Date | null; verdictAt: Date | null },
    ): AssignmentView => ({
      id: assignment.id,
      datasetId: assignment.datasetId,
      status,
      expiresAt: assignment.expiresAt,
      ...times,
      items: { ids: assignment.itemIds },
    });
    const check = checkSubmission({ itemIds: assignment.itemIds, answers: params.answers, schema: terms.labelSchema });
    const hash = check.ok ? submissionHash(check.answers) : null;
    const now = this.clock.now();
    // The state as read decides most answers without a write; a live lease is re-checked under
    // the lock, and whatever a concurrent request changed meanwhile goes through the same rules.
    let state = {
      status: assignment.status,
      hash: assignment.submissionHash,
      submittedAt: assignment.submittedAt,
      verdictAt: assignment.verdictAt,
    };
    for (;;) {
      if (state.status === 'ACTIVE' && terms.status === DatasetStatus.CANCELLED) throw cancelled();
      const path = submitPath({
        status: state.status,
        expiresAt: assignment.expiresAt,
        now,
        storedHash: state.hash,
        hash,
      });
      if (path.kind === 'replay') return view(state.status, state);
      if (path.kind === 'refuse') throw new DomainError(path.code, path.message);
      if (path.kind === 'score' && !check.ok) throw new DomainError(check.code, check.message);
      const answers = check.ok ? check.answers : [];
      const valueOf = new Map(answers.map((a) => [a.itemId, a.value]));
      const score = scoreGold({
        kind: terms.labelSchema.kind,
        answers: gold.map((g) => ({ itemId: g.id, answer: valueOf.get(g.id), gold: g.goldLabel })),
      });
      const stored = await retryingConflicts(() =>
        this.submissions.submit({
          workerId: params.workerId,
          assignmentId: assignment.id,
          answers,
          hash: hash ?? '',
          goldCorrect: score.correct,
          goldTotal: score.total,
          now,
          verdictMinGold: this.config.verdictMinGold,
          verdictMaxDelaySeconds: this.config.verdictMaxDelaySeconds,
        }),
      );
      switch (stored.outcome) {
        case 'SUBMITTED':
          return view('SUBMITTED', { submittedAt: stored.submittedAt, verdictAt: null });
        case 'EXPIRED':
          throw new DomainError('LEASE_EXPIRED', 'The lease on this assignment expired; claim a new task');
        case 'NOT_OPEN':
          throw cancelled();
        case 'NOT_FOUND':
          throw notFound('Assignment');
        case 'STATE':
          state = {
            status: stored.status,
            hash: stored.hash,
            submittedAt: stored.submittedAt,
            verdictAt: stored.verdictAt,
          };
      }
    }
  }

  // Payloads of items in the order given (for an Assignment whose items a query selects).
  items(itemIds: string[]): Promise<TaskItemView[]> {
    return this.assignments.loadItems(this.dataSource.manager, itemIds);
  }
}

function cancelled(): DomainError {
  return new DomainError('DATASET_NOT_OPEN', 'This dataset was cancelled; its assignments can no longer be submitted');
}
