import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit';
import type { Principal } from '../auth/current-account';
import { badInput, DomainError, notFound } from '../common/domain-error';
import { formatTokenAmount } from '../common/money';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { inTransaction } from '../database/transaction';
import { enqueueInTransaction } from '../queues/outbox';
import { availableBudget, disputeReserveOf, requiredBudget } from './budget';
import {
  DATASET_TRANSITIONS,
  completionDue,
  consensusDecides,
  decideTransition,
  type CompletionAsker,
  type DatasetAction,
} from './dataset-lifecycle';
import type { DatasetEntity } from './dataset.entity';
import { DatasetModel } from './dataset.model';
import { DatasetsRepository } from './datasets.repository';
import { isUuid } from '../common/ids';
import { assertManageable } from './datasets.service';
import { changeBudget, fundsOf } from './dataset-funds';

// Every dataset status change and every move of budget/committed that is not an accepted
// assignment. Transitions are one conditional UPDATE (WHERE status = ANY(from)); those that also
// move money first lock the row (SELECT ... FOR UPDATE) so the amounts they compute stay true.
@Injectable()
export class DatasetLifecycleService {
  private readonly logger = new Logger(DatasetLifecycleService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly datasets: DatasetsRepository,
    @Inject(RUNTIME_CONFIG) private readonly config: Pick<RuntimeConfig, 'tokenDecimals'>,
  ) {}

  // Housekeeping of the counters that completion and progress read (run by the worker every
  // minute): rows of database backends that are gone fold into one per dataset.
  async foldDatasetCounters(): Promise<number> {
    return this.datasets.foldDatasetCounters(this.dataSource.manager);
  }

  // DRAFT → OPEN: reserve the worst-case labeling cost plus the dispute reserve and enqueue the
  // split, all in one transaction.
  async publish(principal: Principal, id: string): Promise<DatasetModel> {
    return this.inLockedDataset(principal, id, async (manager, dataset) => {
      const to = this.decide('publish', dataset);
      const regularItems = dataset.itemCount - dataset.goldItemCount;
      if (regularItems < 1)
        throw new DomainError(
          'INVALID_TRANSITION',
          'A dataset needs at least one regular (non-gold) item to be published',
        );
      if (dataset.goldItemCount < dataset.goldPerTask) {
        throw new DomainError(
          'INVALID_TRANSITION',
          `goldPerTask is ${dataset.goldPerTask} but the dataset has ${dataset.goldItemCount} gold item(s); upload at least ${dataset.goldPerTask} items with a gold label`,
        );
      }
      const cost = requiredBudget({ ...dataset, regularItems, rewardPerAnswer: dataset.rewardPerAnswer });
      const reserve = disputeReserveOf({ labelingCost: cost.required, percent: dataset.disputeReservePercent });
      const required = cost.required + reserve;
      const available = availableBudget(dataset);
      if (available < required) {
        const tokens = (units: bigint): string => formatTokenAmount(units, this.config.tokenDecimals);
        const amounts = {
          required: tokens(required),
          available: tokens(available),
          shortfall: tokens(required - available),
          disputeReserve: tokens(reserve),
        };
        throw new DomainError(
          'INSUFFICIENT_BUDGET',
          `Publishing needs ${amounts.required} tokens (${cost.totalAnswers} answers at worst, plus a dispute reserve of ${amounts.disputeReserve}); ${amounts.available} are available. Fund at least ${amounts.shortfall} more.`,
          amounts,
        );
      }
      await this.transition(manager, {
        dataset,
        action: 'publish',
        to,
        committedDelta: required,
        disputeReserve: reserve,
      });
      await enqueueInTransaction(manager, {
        name: 'tasks.split-dataset',
        payload: { datasetId: dataset.id },
        jobId: `split:${dataset.id}`,
      });
      await recordAudit(manager, {
        actorId: principal.id,
        action: 'dataset.publish',
        subject: `dataset:${dataset.id}`,
        data: {
          committed: required.toString(),
          disputeReserve: reserve.toString(),
          answers: cost.totalAnswers.toString(),
          regularItems,
        },
      });
    });
  }

  pause(principal: Principal, id: string): Promise<DatasetModel> {
    return this.simpleTransition(principal, id, 'pause');
  }

  resume(principal: Principal, id: string): Promise<DatasetModel> {
    return this.simpleTransition(principal, id, 'resume');
  }

  // → CANCELLED. A cancelled dataset takes no more submissions; what was submitted before keeps
  // its verdict and is paid if accepted. Its committed is from now on what its work in flight can
  // still cost (the dataset_funds view derives it for COMPLETED and CANCELLED datasets: leases until
  // they end, submissions until their verdict), so every path that ends one (lease expiry,
  // release, verdict) lowers it by itself and nothing is stranded. The rest, budget − spent −
  // committed, is refundable once nothing more can be owed (refundDataset).
  async cancel(principal: Principal, id: string): Promise<DatasetModel> {
    return this.inLockedDataset(principal, id, async (manager, dataset) => {
      const to = this.decide('cancel', dataset);
      await this.transition(manager, { dataset, action: 'cancel', to, committedDelta: 0n });
      await recordAudit(manager, {
        actorId: principal.id,
        action: 'dataset.cancel',
        subject: `dataset:${dataset.id}`,
        data: await this.fundsAudit(manager, dataset),
      });
    });
  }

  /**
   * System transition OPEN|PAUSED → COMPLETED when completionDue (dataset-lifecycle.ts) says so:
   * the one place a dataset completes (every regular item LABELED or RESOLVED, no dispute open).
   * committed then follows what in-flight assignments can still cost plus what is left of the
   * dispute reserve (dataset_funds), like cancel. Safe to call any time and from many workers:
   * returns true only for the call that completed the dataset. Checked once without locks, then
   * again under the lock.
   */
  async markCompletedIfDone(
    datasetId: string,
    options: { askedBy: CompletionAsker } = { askedBy: 'consensus' },
  ): Promise<boolean> {
    if (!isUuid(datasetId)) return false;
    const due = async (manager: EntityManager, dataset: DatasetEntity | null): Promise<boolean> => {
      if (!dataset) return false;
      const facts = {
        status: dataset.status,
        regularItems: dataset.itemCount - dataset.goldItemCount,
        consensusDecides: consensusDecides({ ...dataset, labelKind: dataset.labelSchema.kind }),
        askedBy: options.askedBy,
      };
      // The status and asker rules first: they cost nothing; the count reads the dataset's items.
      if (!completionDue({ ...facts, settledRegularItems: facts.regularItems, openDisputes: false })) return false;
      const settledRegularItems = await this.datasets.countLabeledRegularItems(manager, datasetId);
      if (!completionDue({ ...facts, settledRegularItems, openDisputes: false })) return false;
      return completionDue({
        ...facts,
        settledRegularItems,
        openDisputes: await this.datasets.hasOpenDisputes(manager, datasetId),
      });
    };
    if (!(await due(this.dataSource.manager, await this.datasets.findById(datasetId)))) return false;
    return inTransaction(this.dataSource, async (manager) => {
      const dataset = await this.datasets.lockById(manager, datasetId);
      if (!dataset || !(await due(manager, dataset))) return false;
      await this.transition(manager, { dataset, action: 'complete', to: 'COMPLETED', committedDelta: 0n });
      await recordAudit(manager, {
        actorId: null,
        action: 'dataset.complete',
        subject: `dataset:${dataset.id}`,
        data: await this.fundsAudit(manager, dataset),
      });
      this.logger.log({ datasetId }, 'dataset completed');
      return true;
    });
  }

  /** markCompletedIfDone for callers that just committed work of their own (a verdict, an
   * aggregation run, a dispute decision): a failure is logged, not thrown — their work stands,
   * and the next such call tries again. */
  async completeAfter(datasetId: string, params: { askedBy: CompletionAsker; after: string }): Promise<void> {
    try {
      await this.markCompletedIfDone(datasetId, { askedBy: params.askedBy });
    } catch (error) {
      this.logger.warn({ err: error, datasetId }, `could not complete the dataset after ${params.after}`);
    }
  }

  // ADMIN off-chain funding: budget += amount (an SQL increment) and its audit entry, together.
  async credit(principal: Principal, params: { datasetId: string; amount: bigint }): Promise<DatasetModel> {
    if (params.amount <= 0n) throw badInput('amount must be greater than 0', { field: 'amount' });
    if (!isUuid(params.datasetId)) throw notFound('Dataset');
    const entity = await inTransaction(this.dataSource, async (manager) => {
      if (!(await changeBudget(manager, { datasetId: params.datasetId, delta: params.amount })))
        throw notFound('Dataset');
      await recordAudit(manager, {
        actorId: principal.id,
        action: 'dataset.credit',
        subject: `dataset:${params.datasetId}`,
        data: { amount: params.amount.toString() },
      });
      return this.datasets.findWithFunds(params.datasetId, manager);
    });
    return DatasetModel.from(entity as DatasetEntity, { withFunding: true });
  }

  // Owner (or ADMIN): moves budget nothing is committed to into the dispute reserve, when the
  // reserve committed at publish ran out (resolutions are refused with INSUFFICIENT_BUDGET then).
  async topUpDisputeReserve(
    principal: Principal,
    params: { datasetId: string; amount: bigint },
  ): Promise<DatasetModel> {
    if (params.amount <= 0n) throw badInput('amount must be greater than 0', { field: 'amount' });
    return this.inLockedDataset(principal, params.datasetId, async (manager, dataset) => {
      if (dataset.status === 'DRAFT')
        throw new DomainError(
          'INVALID_TRANSITION',
          'A dataset gets its dispute reserve when it is published (disputeReservePercent)',
        );
      const available = availableBudget(await this.datasets.commitmentState(manager, dataset.id));
      if (available < params.amount) {
        const amounts = {
          required: formatTokenAmount(params.amount, this.config.tokenDecimals),
          available: formatTokenAmount(available, this.config.tokenDecimals),
          shortfall: formatTokenAmount(params.amount - available, this.config.tokenDecimals),
        };
        throw new DomainError(
          'INSUFFICIENT_BUDGET',
          `Only ${amounts.available} tokens of the budget are not committed; fund at least ${amounts.shortfall} more`,
          amounts,
        );
      }
      await this.datasets.addToDisputeReserve(manager, { id: dataset.id, amount: params.amount });
      await recordAudit(manager, {
        actorId: principal.id,
        action: 'dataset.top-up-dispute-reserve',
        subject: `dataset:${dataset.id}`,
        data: { amount: params.amount.toString() },
      });
    });
  }

  private async simpleTransition(principal: Principal, id: string, action: 'pause' | 'resume'): Promise<DatasetModel> {
    return this.inLockedDataset(principal, id, async (manager, dataset) => {
      const to = this.decide(action, dataset);
      await this.transition(manager, { dataset, action, to, committedDelta: 0n });
      await recordAudit(manager, {
        actorId: principal.id,
        action: `dataset.${action}`,
        subject: `dataset:${dataset.id}`,
      });
    });
  }

  private async inLockedDataset(
    principal: Principal,
    id: string,
    work: (manager: EntityManager, dataset: DatasetEntity) => Promise<void>,
  ): Promise<DatasetModel> {
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

  private async transition(
    manager: EntityManager,
    params: {
      dataset: DatasetEntity;
      action: DatasetAction;
      to: string;
      committedDelta: bigint;
      disputeReserve?: bigint;
    },
  ): Promise<void> {
    const applied = await this.datasets.applyTransition(manager, {
      id: params.dataset.id,
      from: DATASET_TRANSITIONS[params.action].from,
      to: params.to as DatasetEntity['status'],
      committedDelta: params.committedDelta,
      disputeReserve: params.disputeReserve,
    });
    if (!applied)
      throw new DomainError('INVALID_TRANSITION', `Cannot ${params.action} the dataset: its status changed meanwhile`);
  }

  // The money of a dataset that just ended, for its audit entry.
  private async fundsAudit(manager: EntityManager, dataset: DatasetEntity): Promise<Record<string, string>> {
    const funds = (await fundsOf(manager, [dataset.id])).get(dataset.id);
    if (!funds) return {};
    return {
      budget: funds.budget.toString(),
      spent: funds.spent.toString(),
      committed: funds.committed.toString(),
      disputeReserve: dataset.disputeReserve.toString(),
      unspent: (funds.budget - funds.spent - funds.committed).toString(),
    };
  }
}
