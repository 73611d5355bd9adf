import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomInt } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { DomainError, notFound } from '../common/domain-error';
import { inTransaction } from '../database/transaction';
import { DatasetStatus } from '../datasets/dataset-status';
import { AssignmentsRepository } from './assignments.repository';
import type { AssignmentView } from './assignment-view';
import { ClaimRepository } from './claim.repository';
import { shuffle } from './shuffle';
import { isUuid } from '../common/ids';

// How many open datasets a dataset-less claim tries before answering "nothing for you".
const ANY_DATASET_CANDIDATES = 10;

@Injectable()
export class ClaimService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly claims: ClaimRepository,
    private readonly assignments: AssignmentsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  // The worker's next task on a dataset (or on any open dataset): their live lease if they hold
  // one, else a fresh one; null when nothing is left that this worker may take.
  async claim(params: { workerId: string; datasetId: string | null }): Promise<AssignmentView | null> {
    const { workerId, datasetId } = params;
    if (datasetId === null) return this.claimAnywhere(workerId);
    if (!isUuid(datasetId)) throw notFound('Dataset');
    return inTransaction(this.dataSource, (manager) => this.claimOn(manager, { workerId, datasetId }));
  }

  // Gives up one's own ACTIVE lease; the slot goes back to the task at once. Releasing twice is
  // a no-op (true) so a retried call does not fail.
  async release(params: { workerId: string; assignmentId: string }): Promise<boolean> {
    if (!isUuid(params.assignmentId)) throw notFound('Assignment');
    return inTransaction(this.dataSource, async (manager) => {
      const assignment = await this.assignments.lockOwn(manager, { id: params.assignmentId, workerId: params.workerId });
      if (!assignment) throw notFound('Assignment');
      if (assignment.status === 'RELEASED') return true;
      if (assignment.status !== 'ACTIVE') throw new DomainError('ASSIGNMENT_NOT_ACTIVE', `This assignment is ${assignment.status.toLowerCase()}`);
      await this.assignments.endActive(manager, { ids: [assignment.id], status: 'RELEASED' });
      return true;
    });
  }

  private async claimOn(manager: EntityManager, key: { workerId: string; datasetId: string }): Promise<AssignmentView | null> {
    await this.claims.lockWorkerOnDataset(manager, key);
    const context = await this.claims.claimContext(manager, key);
    // A draft is its owner's business: to a labeler it does not exist.
    if (!context || context.status === DatasetStatus.DRAFT) throw notFound('Dataset');
    if (context.blocked) throw new DomainError('WORKER_BLOCKED_ON_DATASET', 'Your gold accuracy on this dataset is below its bar; you cannot take more of its tasks');
    const now = this.clock.now();
    const inFlight = context.status === DatasetStatus.OPEN || context.status === DatasetStatus.PAUSED;
    if (context.active) {
      // A double-click or a retry gets the lease it already has.
      if (inFlight && context.active.expiresAt.getTime() > now.getTime()) return this.assignments.loadView(manager, context.active.id);
      // The lease ran out but the reaper has not seen it yet: end it here so its slot returns and
      // the worker may hold a new one.
      await this.assignments.endActive(manager, { ids: [context.active.id], status: 'EXPIRED' });
    }
    if (context.status !== DatasetStatus.OPEN) throw new DomainError('DATASET_NOT_OPEN', `This dataset is ${context.status.toLowerCase()}; it hands out no tasks`);
    const task = await this.claims.takeNextTask(manager, { ...key, goldCount: context.goldPerTask });
    if (!task) return null;
    const itemIds = shuffle([...task.itemIds, ...task.goldItemIds], randomInt);
    const expiresAt = new Date(now.getTime() + context.leaseSeconds * 1000);
    const created = await this.claims.createAssignment(manager, { taskId: task.id, ...key, itemIds, goldItemIds: task.goldItemIds, expiresAt });
    return { id: created.id, datasetId: key.datasetId, status: 'ACTIVE', expiresAt, items: created.items };
  }

  private async claimAnywhere(workerId: string): Promise<AssignmentView | null> {
    const live = await this.assignments.findLiveActive(this.dataSource.manager, { workerId, now: this.clock.now() });
    if (live) return this.assignments.loadView(this.dataSource.manager, live.id);
    for (const datasetId of await this.claims.candidateDatasets(this.dataSource.manager, { workerId, limit: ANY_DATASET_CANDIDATES })) {
      try {
        const claimed = await inTransaction(this.dataSource, (manager) => this.claimOn(manager, { workerId, datasetId }));
        if (claimed) return claimed;
      } catch (error) {
        // The dataset changed since it was listed (paused, or this worker got blocked): try the next.
        if (!(error instanceof DomainError) || !['DATASET_NOT_OPEN', 'WORKER_BLOCKED_ON_DATASET', 'NOT_FOUND'].includes(error.code)) throw error;
      }
    }
    return null;
  }
}
