import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit';
import type { Principal } from '../auth/current-account';
import { CLOCK, type Clock } from '../common/clock';
import { DomainError, forbidden, notFound } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { inTransaction } from '../database/transaction';
import { recordRefund } from '../payouts/refunds';
import { canRefund } from './dataset-access';
import { fundsOf } from './dataset-funds';
import type { DatasetEntity } from './dataset.entity';
import { DatasetModel } from './dataset.model';
import { DatasetsRepository } from './datasets.repository';
import { assertManageable } from './datasets.service';
import { nothingMoreOwed, refundableAmount, type OwedDecision } from './refund-rules';

// refundDataset: the unspent budget of an ended dataset goes back to its owner's wallet through
// PayoutVault.refund, exactly once. The decision, the refund row, its send job, `refunded` and the
// audit entry commit in one transaction under the dataset's row lock (two calls queue there; the
// second finds nothing refundable and returns the dataset unchanged). Sending is the payout
// sender's job, with every guarantee a payout batch has.
@Injectable()
export class DatasetRefundService {
  private readonly logger = new Logger(DatasetRefundService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly datasets: DatasetsRepository,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** What refundDataset would send now for a dataset read with its funding. */
  async refundableOf(dataset: DatasetModel): Promise<bigint> {
    const funding = dataset.funding;
    if (!funding) return 0n;
    const facts = await this.datasets.disputeFacts(this.dataSource.manager, dataset.id);
    return refundableAmount(
      this.decide(
        {
          status: dataset.status,
          appealWindowSeconds: dataset.appealWindowSeconds,
          disputeReserve: funding.disputeReserve,
        },
        funding,
        facts,
      ),
      funding,
    );
  }

  async refund(principal: Principal, id: string): Promise<DatasetModel> {
    if (!isUuid(id)) throw notFound('Dataset');
    const chain = this.config.chain;
    const entity = await inTransaction(this.dataSource, async (manager) => {
      const dataset = assertManageable(principal, await this.datasets.lockById(manager, id));
      if (!canRefund(principal, dataset))
        throw forbidden("Only the dataset's owner can refund it: the tokens go to the owner's wallet");
      if (chain === null) throw new DomainError('CHAIN_UNAVAILABLE', 'No chain is configured for this service');
      const funds = (await fundsOf(manager, [id])).get(id);
      if (!funds) throw notFound('Dataset');
      const decision = this.decide(dataset, funds, await this.datasets.disputeFacts(manager, id));
      if (!decision.settled)
        throw new DomainError('REFUND_NOT_READY', `Nothing can be refunded yet: ${decision.reason}`);
      const amount = refundableAmount(decision, funds);
      if (amount > 0n) await this.send(manager, { dataset, amount, principal, chain });
      return this.datasets.findWithFunds(id, manager);
    });
    return DatasetModel.from(entity as DatasetEntity, { withFunding: true });
  }

  private decide(
    dataset: Pick<DatasetEntity, 'status' | 'appealWindowSeconds' | 'disputeReserve'>,
    funds: { activeAssignments: number; submittedAssignments: number },
    disputes: { lastVerdictAt: Date | null; openDisputes: number },
  ): OwedDecision {
    return nothingMoreOwed({
      status: dataset.status,
      activeAssignments: funds.activeAssignments,
      submittedAssignments: funds.submittedAssignments,
      appeal: { lastVerdictAt: disputes.lastVerdictAt, windowSeconds: dataset.appealWindowSeconds },
      openDisputes: disputes.openDisputes,
      disputeReserve: dataset.disputeReserve,
      now: this.clock.now(),
    });
  }

  private async send(
    manager: EntityManager,
    params: {
      dataset: DatasetEntity;
      amount: bigint;
      principal: Principal;
      chain: NonNullable<RuntimeConfig['chain']>;
    },
  ): Promise<void> {
    const { dataset, amount, principal, chain } = params;
    // Deposits may come from any wallet; the refund goes to the owner's sign-in wallet.
    const to = await this.datasets.ownerAddress(manager, dataset.id);
    const refund = await recordRefund(manager, {
      datasetId: dataset.id,
      datasetKey: dataset.depositKey,
      to,
      amount,
      chain,
    });
    await this.datasets.addRefunded(manager, { id: dataset.id, amount });
    await recordAudit(manager, {
      actorId: principal.id,
      action: 'dataset.refund',
      subject: `dataset:${dataset.id}`,
      data: { amount: amount.toString(), to, refundId: refund.refundId, payoutBatchId: refund.id },
    });
    this.logger.log(
      { datasetId: dataset.id, amount: amount.toString(), refundId: refund.refundId },
      'refund recorded; sending',
    );
  }
}
