import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { CallBatcher, failedBatchWarning } from '../database/call-batcher';
import { canView, type Viewer } from '../datasets/dataset-access';
import { DomainError, notFound } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { decodeTimeIdCursor, pageSize, toPage, type Page } from '../common/pagination';
import type { AssignmentStatus } from './assignment-status';
import { inTransaction, retryingConflicts } from '../database/transaction';
import { AssignmentsRepository, type TaskItemView } from './assignments.repository';
import type { AssignmentView } from './assignment-view';
import { ClaimRepository, type ClaimOutcome } from './claim.repository';
import { SubmitFactsCache } from './submit-facts.cache';

// A dataset-less claim lists this many open datasets at a time, and lists again at most this many
// times: a list whose every dataset turned out to have nothing for the worker now remembers why
// (no gold left, or a whole walk that found nothing), so the next list holds newer datasets.
const ANY_DATASET_CANDIDATES = 10;
const ANY_DATASET_LISTS = 2;

@Injectable()
export class ClaimService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly claims: ClaimRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly known: SubmitFactsCache,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
  ) {
    // The clock is read at each attempt, as the lease's end is counted from it. A batch is not
    // retried: whatever failed it (its lock bound, mostly), its claims run again alone, and those
    // are retried on a deadlock like any other.
    this.batched = new CallBatcher({
      maxBatch: config.hotPathBatch,
      one: (claim) =>
        retryingConflicts(() => this.claims.claimOn(this.dataSource, { ...claim, now: this.clock.now() })),
      many: (claims) =>
        this.claims.claimMany(
          this.dataSource,
          claims.map((claim) => ({ ...claim, now: this.clock.now() })),
        ),
      onBatchError: failedBatchWarning((fields, message) => this.logger.warn(fields, message), 'claim'),
    });
  }

  private readonly logger = new Logger(ClaimService.name);
  // Claims of one turn of the event loop, in one statement (or alone).
  private readonly batched: CallBatcher<{ workerId: string; datasetId: string }, ClaimOutcome>;

  // The worker's next task on a dataset (or on any open dataset): their live lease if they hold
  // one, else a fresh one; null when nothing is left that this worker may take.
  async claim(params: { worker: Viewer; datasetId: string | null }): Promise<AssignmentView | null> {
    const { worker, datasetId } = params;
    if (datasetId === null) return this.claimAnywhere(worker.id);
    if (!isUuid(datasetId)) throw notFound('Dataset');
    return this.claimOn({ worker, datasetId });
  }

  // Gives up one's own ACTIVE lease; the slot goes back to the task at once. Releasing twice is
  // a no-op (true) so a retried call does not fail.
  async release(params: { workerId: string; assignmentId: string }): Promise<boolean> {
    if (!isUuid(params.assignmentId)) throw notFound('Assignment');
    return inTransaction(this.dataSource, async (manager) => {
      const assignment = await this.assignments.lockOwn(manager, {
        id: params.assignmentId,
        workerId: params.workerId,
      });
      if (!assignment) throw notFound('Assignment');
      if (assignment.status === 'RELEASED') return true;
      if (assignment.status !== 'ACTIVE')
        throw new DomainError('ASSIGNMENT_NOT_ACTIVE', `This assignment is ${assignment.status.toLowerCase()}`);
      await this.assignments.endActive(manager, { ids: [assignment.id], status: 'RELEASED' });
      return true;
    });
  }

  // The worker's own assignments, newest first: pending (SUBMITTED) and decided work with its
  // verdict time. Only the caller's rows are ever read.
  async mine(params: {
    workerId: string;
    status: AssignmentStatus | null;
    first?: number | null;
    after?: string | null;
  }): Promise<Page<AssignmentView>> {
    const first = pageSize(params.first);
    const after = decodeTimeIdCursor(params.after);
    const { rows, totalCount } = await this.assignments.pageOwn(this.dataSource.manager, {
      workerId: params.workerId,
      status: params.status,
      limit: first + 1,
      after,
    });
    return toPage({
      rows,
      first,
      totalCount,
      keyOf: (r) => `${r.cursorTime}|${r.id}`,
      map: (r) => ({
        id: r.id,
        datasetId: r.datasetId,
        status: r.status,
        expiresAt: r.expiresAt,
        submittedAt: r.submittedAt,
        verdictAt: r.verdictAt,
        items: { ids: r.itemIds },
      }),
    });
  }

  private async claimOn(params: { worker: Viewer; datasetId: string }): Promise<AssignmentView | null> {
    const { worker, datasetId } = params;
    const claimed = await this.claimOnce({ workerId: worker.id, datasetId });
    switch (claimed.outcome) {
      case 'NOT_FOUND':
        throw notFound('Dataset');
      case 'OWN_DATASET':
        throw new DomainError(
          'OWN_DATASET',
          'You own this dataset (you uploaded its gold labels), so you cannot label it',
        );
      case 'BLOCKED':
        throw new DomainError(
          'WORKER_BLOCKED_ON_DATASET',
          'You are blocked on this dataset by its quality checks; you cannot take more of its tasks',
        );
      case 'NO_GOLD':
        throw new DomainError(
          'NOTHING_TO_CLAIM',
          'You have seen every quality-check item this dataset can show you, so it has no more tasks for you',
          { reason: 'NO_GOLD_LEFT' },
        );
      case 'NOT_OPEN': {
        // A dataset the caller may not see (a draft, a finished one of someone else) answers as
        // if it did not exist: its status is not theirs to learn.
        const ownerId = await this.claims.ownerOf(this.dataSource.manager, datasetId);
        if (ownerId === null || !canView(worker, { ownerId, status: claimed.status })) throw notFound('Dataset');
        throw new DomainError(
          'DATASET_NOT_OPEN',
          `This dataset is ${claimed.status.toLowerCase()}; it hands out no tasks`,
        );
      }
      case 'NONE':
        return null;
      case 'CLAIMED':
        return this.handedOut(worker.id, viewOf(datasetId, claimed));
    }
  }

  // A dataset that changed since it was listed (paused, or this worker got blocked on it) is
  // simply skipped: only a claimed task ends the search.
  private async claimAnywhere(workerId: string): Promise<AssignmentView | null> {
    const live = await this.assignments.findLiveActive(this.dataSource.manager, { workerId, now: this.clock.now() });
    if (live)
      return this.handedOut(workerId, {
        id: live.id,
        datasetId: live.datasetId,
        status: live.status,
        expiresAt: live.expiresAt,
        submittedAt: null,
        verdictAt: null,
        items: await this.assignments.loadItems(this.dataSource.manager, live.itemIds),
      });
    const tried: string[] = [];
    for (let list = 0; list < ANY_DATASET_LISTS; list++) {
      const candidates = await this.claims.candidateDatasets(this.dataSource.manager, {
        workerId,
        now: this.clock.now(),
        limit: ANY_DATASET_CANDIDATES,
        except: tried,
      });
      for (const datasetId of candidates) {
        const claimed = await this.claimOnce({ workerId, datasetId });
        if (claimed.outcome === 'CLAIMED') return this.handedOut(workerId, viewOf(datasetId, claimed));
        tried.push(datasetId);
      }
      if (candidates.length < ANY_DATASET_CANDIDATES) break;
    }
    return null;
  }

  // The lease goes to the labeler, and what its submit needs stays here, so that submit is one
  // statement when it comes back to this process (SubmissionService).
  private handedOut(workerId: string, view: AssignmentView & { items: TaskItemView[] }): AssignmentView {
    this.known.rememberAssignment(view.id, {
      workerId,
      datasetId: view.datasetId,
      itemIds: view.items.map((item) => item.id),
      expiresAt: view.expiresAt,
    });
    return view;
  }

  // One claim_task call, in one statement with the other claims of this turn of the event loop
  // (or alone), retried on a deadlock like any other.
  private claimOnce(key: { workerId: string; datasetId: string }): Promise<ClaimOutcome> {
    return this.batched.call(key);
  }
}

function viewOf(
  datasetId: string,
  claimed: Extract<ClaimOutcome, { outcome: 'CLAIMED' }>,
): AssignmentView & { items: TaskItemView[] } {
  return {
    id: claimed.id,
    datasetId,
    status: 'ACTIVE',
    expiresAt: claimed.expiresAt,
    submittedAt: null,
    verdictAt: null,
    items: claimed.items,
  };
}
