import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { DomainError, notFound } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { CallBatcher, failedBatchWarning } from '../database/call-batcher';
import { retryingConflicts } from '../database/transaction';
import type { LabelSchema } from '../datasets/dataset-status';
import { checkSubmission, submissionHash, type SubmittedAnswer } from './answer-validation';
import { AssignmentsRepository, type TaskItemView } from './assignments.repository';
import type { AssignmentView } from './assignment-view';
import { SubmissionRepository, type SubmitOutcome, type SubmitParams } from './submission.repository';
import { SubmitFactsCache, type AssignmentFacts } from './submit-facts.cache';
import { submitPath } from './submit-rules';

@Injectable()
export class SubmissionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assignments: AssignmentsRepository,
    private readonly submissions: SubmissionRepository,
    private readonly known: SubmitFactsCache,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {
    this.batched = new CallBatcher({
      maxBatch: config.hotPathBatch,
      one: (submit) => this.storeAlone(submit),
      // Not retried: a failed batch's submits run again alone (storeAlone retries those).
      many: (submits) => this.submissions.submitMany(submits),
      onBatchError: failedBatchWarning((fields, message) => this.logger.warn(fields, message), 'submit'),
    });
  }

  private readonly logger = new Logger(SubmissionService.name);

  // Submits of one turn of the event loop, stored together (or alone).
  private readonly batched: CallBatcher<SubmitParams, SubmitOutcome>;

  // Stores a submission in ONE statement (submit_assignment) when this process knows the
  // assignment's unchanging facts (it answered the claim): the answers are validated and hashed
  // here, and the function checks the state under the assignment's lock and stores the answers,
  // the SUBMITTED state, the worker's pending counters and, when the worker's batch is due, the
  // verdict request (outbox) — together or not at all. Gold is scored later by the verdict
  // (VerdictService), in a batch per worker, so nothing here depends on which items are gold and
  // the answer never tells whether a gold answer was right. Retrying the same answers returns the
  // stored result and writes nothing.
  async submit(params: {
    workerId: string;
    assignmentId: string;
    answers: SubmittedAnswer[];
  }): Promise<AssignmentView> {
    if (!isUuid(params.assignmentId)) throw notFound('Assignment');
    const known = await this.factsOf({ id: params.assignmentId, workerId: params.workerId });
    if (!known) throw notFound('Assignment');
    const { facts, schema } = known;
    const view = (
      status: AssignmentView['status'],
      times: { submittedAt: Date | null; verdictAt: Date | null },
    ): AssignmentView => ({
      id: params.assignmentId,
      datasetId: facts.datasetId,
      status,
      expiresAt: facts.expiresAt,
      ...times,
      items: { ids: facts.itemIds },
    });
    const check = checkSubmission({ itemIds: facts.itemIds, answers: params.answers, schema });
    const hash = check.ok ? submissionHash(check.answers) : null;
    const now = this.clock.now();
    // Invalid answers are sent as null: the function then only reports the state (and ends an
    // expired lease), so the same checks come in the same order whether the answers are valid.
    const submit: SubmitParams = {
      workerId: params.workerId,
      assignmentId: params.assignmentId,
      answers: check.ok ? check.answers : null,
      hash,
      now,
      verdictMinGold: this.config.verdictMinGold,
      verdictMaxDelaySeconds: this.config.verdictMaxDelaySeconds,
    };
    // A submit past the lease's end (which never changes) gives the task's slot back: a write to a
    // row other workers share, which a batch must not hold while it waits for its other calls'
    // locks (migration ClaimsAndSubmitsInBatches). It goes alone; the function decides the same.
    const stored = await (now >= facts.expiresAt ? this.storeAlone(submit) : this.batched.call(submit));
    switch (stored.outcome) {
      case 'SUBMITTED':
        return view('SUBMITTED', { submittedAt: stored.submittedAt, verdictAt: null });
      case 'LIVE':
        if (check.ok) throw new Error('submit_assignment reported a live lease for valid answers');
        throw new DomainError(check.code, check.message);
      case 'EXPIRED':
        throw new DomainError('LEASE_EXPIRED', 'The lease on this assignment expired; claim a new task');
      case 'NOT_OPEN':
        throw cancelled();
      case 'NOT_FOUND':
        throw notFound('Assignment');
      case 'STATE': {
        // No longer ACTIVE, so the rules only replay or refuse.
        const path = submitPath({
          status: stored.status,
          expiresAt: facts.expiresAt,
          now,
          storedHash: stored.hash,
          hash,
        });
        if (path.kind === 'replay') return view(stored.status, stored);
        if (path.kind === 'refuse') throw new DomainError(path.code, path.message);
        throw new Error(`submit_assignment reported ${stored.status}, which the submit rules treat as live`);
      }
    }
  }

  private storeAlone(submit: SubmitParams): Promise<SubmitOutcome> {
    return retryingConflicts(() => this.submissions.submit(submit));
  }

  // Payloads of items in the order given (for an Assignment whose items a query selects).
  items(itemIds: string[]): Promise<TaskItemView[]> {
    return this.assignments.loadItems(this.dataSource.manager, itemIds);
  }

  // From this process's memory when it answered the claim (or an earlier submit); else one read,
  // remembered. Null when the caller has no such assignment.
  private async factsOf(key: {
    id: string;
    workerId: string;
  }): Promise<{ facts: AssignmentFacts; schema: LabelSchema } | null> {
    const facts = this.known.assignment(key.id, key.workerId);
    if (facts) {
      let schema = this.known.schema(facts.datasetId);
      if (!schema) {
        schema = (await this.submissions.schema(facts.datasetId)) ?? undefined;
        if (schema) this.known.rememberSchema(facts.datasetId, schema);
      }
      if (schema) return { facts, schema };
    }
    const read = await this.submissions.facts(key);
    if (!read) return null;
    this.known.rememberAssignment(key.id, read.facts);
    this.known.rememberSchema(read.facts.datasetId, read.schema);
    return read;
  }
}

function cancelled(): DomainError {
  return new DomainError('DATASET_NOT_OPEN', 'This dataset was cancelled; its assignments can no longer be submitted');
}
