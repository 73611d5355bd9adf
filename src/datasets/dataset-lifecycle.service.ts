import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit';
import type { Principal } from '../auth/current-account';
import { badInput, DomainError, notFound } from '../common/domain-error';
import { formatTokenAmount } from '../common/money';
import { inTransaction } from '../database/transaction';
import { enqueueInTransaction } from '../queues/outbox';
import { availableBudget, requiredBudget } from './budget';
import { DATASET_TRANSITIONS, completionDue, decideTransition, type CompletionAsker, type DatasetAction } from './dataset-lifecycle';
import type { DatasetEntity } from './dataset.entity';
import { DatasetModel } from './dataset.model';
import { DatasetsRepository } from './datasets.repository';
import { isUuid } from '../common/ids';
import { assertManageable } from './datasets.service';
import { changeBudget } from './dataset-funds';

// Every dataset status change and every move of budget/committed that is not an accepted
// assignment. Transitions are one conditional UPDATE (WHERE status = ANY(from)); those that also
// move money first lock the row (SELECT ... FOR UPDATE) so the amounts they compute stay true.
@Injectable()
export class DatasetLifecycleService {
  private readonly logger = new Logger(DatasetLifecycleService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly datasets: DatasetsRepository,
  ) {}

  // DRAFT → OPEN: reserve the worst-case cost and enqueue the split, all in one transaction.
  async publish(principal: Principal, id: string): Promise<DatasetModel> {
    return this.inLockedDataset(principal, id, async (manager, dataset) => {
      const to = this.decide('publish', dataset);
      const regularItems = dataset.itemCount - dataset.goldItemCount;
      if (regularItems < 1) throw new DomainError('INVALID_TRANSITION', 'A dataset needs at least one regular (non-gold) item to be published');
      if (dataset.goldItemCount < dataset.goldPerTask) {
        throw new DomainError('INVALID_TRANSITION', `goldPerTask is ${dataset.goldPerTask} but the dataset has ${dataset.goldItemCount} gold item(s); upload at least ${dataset.goldPerTask} items with a gold label`);
      }
      const cost = requiredBudget({ ...dataset, regularItems, rewardPerAnswer: dataset.rewardPerAnswer });
      const available = availableBudget(dataset);
      if (available < cost.required) {
        const amounts = { required: formatTokenAmount(cost.required), available: formatTokenAmount(available), shortfall: formatTokenAmount(cost.required - available) };
        throw new DomainError('INSUFFICIENT_BUDGET', `Publishing needs ${amounts.required} tokens (${cost.totalAnswers} answers at worst); ${amounts.available} are available. Fund at least ${amounts.shortfall} more.`, amounts);
      }
      await this.transition(manager, { dataset, action: 'publish', to, committedDelta: cost.required });
      await enqueueInTransaction(manager, { name: 'tasks.split-dataset', payload: { datasetId: dataset.id }, jobId: `split:${dataset.id}` });
      await recordAudit(manager, { actorId: principal.id, action: 'dataset.publish', subject: `dataset:${dataset.id}`, data: { committed: cost.required.toString(), answers: cost.totalAnswers.toString(), regularItems } });
    });
  }

  pause(principal: Principal, id: string): Promise<DatasetModel> {
    return this.simpleTransition(principal, id, 'pause');
  }

  resume(principal: Principal, id: string): Promise<DatasetModel> {
    return this.simpleTransition(principal, id, 'resume');
  }

  // → CANCELLED. What in-flight assignments (ACTIVE or SUBMITTED) may still cost stays committed;
  // the rest of the commitment is released. budget − spent − committed is then refundable; the
  // amount is written in the audit entry. Sending it on-chain is not built: the vault has no refund
  // entry point (a one-recipient payBatch to the requester would do, for deposited funds only).
  async cancel(principal: Principal, id: string): Promise<DatasetModel> {
    return this.inLockedDataset(principal, id, async (manager, dataset) => {
      const to = this.decide('cancel', dataset);
      const released = await this.releaseFreeCommitment(manager, dataset);
      await this.transition(manager, { dataset, action: 'cancel', to, committedDelta: -released.released });
      await recordAudit(manager, { actorId: principal.id, action: 'dataset.cancel', subject: `dataset:${dataset.id}`, data: released.audit });
    });
  }

  /**
   * System transition OPEN|PAUSED → COMPLETED when completionDue (dataset-lifecycle.ts) says so:
   * the one place a dataset completes. Releases the commitment not needed by in-flight
   * assignments, like cancel. Safe to call any time and from many workers: returns true only for
   * the call that completed the dataset. Checked once without locks, then again under the lock.
   */
  async markCompletedIfDone(datasetId: string, options: { askedBy: CompletionAsker } = { askedBy: 'consensus' }): Promise<boolean> {
    if (!isUuid(datasetId)) return false;
    const due = async (manager: EntityManager, dataset: DatasetEntity | null): Promise<boolean> => {
      if (!dataset) return false;
      const facts = { status: dataset.status, regularItems: dataset.itemCount - dataset.goldItemCount, dynamicOverlap: dataset.maxAnswersPerItem > dataset.answersPerItem, askedBy: options.askedBy };
      // The status and overlap rules first: they cost nothing, the count reads the dataset's items.
      if (!completionDue({ ...facts, settledRegularItems: facts.regularItems })) return false;
      return completionDue({ ...facts, settledRegularItems: await this.datasets.countLabeledRegularItems(manager, datasetId) });
    };
    if (!(await due(this.dataSource.manager, await this.datasets.findById(datasetId)))) return false;
    return inTransaction(this.dataSource, async (manager) => {
      const dataset = await this.datasets.lockById(manager, datasetId);
      if (!dataset || !(await due(manager, dataset))) return false;
      const released = await this.releaseFreeCommitment(manager, dataset);
      await this.transition(manager, { dataset, action: 'complete', to: 'COMPLETED', committedDelta: -released.released });
      await recordAudit(manager, { actorId: null, action: 'dataset.complete', subject: `dataset:${dataset.id}`, data: released.audit });
      this.logger.log({ datasetId }, 'dataset completed');
      return true;
    });
  }

  // ADMIN off-chain funding: budget += amount (an SQL increment) and its audit entry, together.
  async credit(principal: Principal, params: { datasetId: string; amount: bigint }): Promise<DatasetModel> {
    if (params.amount <= 0n) throw badInput('amount must be greater than 0', { field: 'amount' });
    if (!isUuid(params.datasetId)) throw notFound('Dataset');
    const entity = await inTransaction(this.dataSource, async (manager) => {
      if (!(await changeBudget(manager, { datasetId: params.datasetId, delta: params.amount }))) throw notFound('Dataset');
      await recordAudit(manager, { actorId: principal.id, action: 'dataset.credit', subject: `dataset:${params.datasetId}`, data: { amount: params.amount.toString() } });
      return this.datasets.findWithFunds(params.datasetId, manager);
    });
    return DatasetModel.from(entity as DatasetEntity, { withFunding: true });
  }

  private async simpleTransition(principal: Principal, id: string, action: 'pause' | 'resume'): Promise<DatasetModel> {
    return this.inLockedDataset(principal, id, async (manager, dataset) => {
      const to = this.decide(action, dataset);
      await this.transition(manager, { dataset, action, to, committedDelta: 0n });
      await recordAudit(manager, { actorId: principal.id, action: `dataset.${action}`, subject: `dataset:${dataset.id}` });
    });
  }

  private async inLockedDataset(principal: Principal, id: string, work: (manager: EntityManager, dataset: DatasetEntity) => Promise<void>): Promise<DatasetModel> {
    if (!isUuid(id)) throw notFound('Dataset');
    const entity = await inTransaction(this.dataSource, async (manager) => {
      const dataset = assertManageable(principal, await this.datasets.lockById(manager, id));
      await work(manager, dataset);
      return this.datasets.findWithFunds(id, manager);
    });
    return DatasetModel.from(entity as DatasetEntity, { withFunding: true });
  }

  private decide(action: DatasetAction, dataset: DatasetEntity): DatasetEntity['status'] {
    const decision = decideTransition(action, dataset.status);
    if (!decision.ok) throw new DomainError('INVALID_TRANSITION', decision.message);
    return decision.to as DatasetEntity['status'];
  }

  private async transition(manager: EntityManager, params: { dataset: DatasetEntity; action: DatasetAction; to: string; committedDelta: bigint }): Promise<void> {
    const applied = await this.datasets.applyTransition(manager, { id: params.dataset.id, from: DATASET_TRANSITIONS[params.action].from, to: params.to as DatasetEntity['status'], committedDelta: params.committedDelta });
    if (!applied) throw new DomainError('INVALID_TRANSITION', `Cannot ${params.action} the dataset: its status changed meanwhile`);
  }

  private async releaseFreeCommitment(manager: EntityManager, dataset: DatasetEntity): Promise<{ released: bigint; audit: Record<string, string> }> {
    const state = await this.datasets.commitmentState(manager, dataset.id);
    const inFlight = state.answersInFlight * dataset.rewardPerAnswer;
    const keep = inFlight < state.committed ? inFlight : state.committed;
    const released = state.committed - keep;
    const refundable = state.budget - state.spent - keep;
    return { released, audit: { releasedCommitment: released.toString(), inFlightCommitment: keep.toString(), refundable: (refundable > 0n ? refundable : 0n).toString() } };
  }
}
