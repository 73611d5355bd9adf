import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { recordAudit } from '../audit/audit';
import type { Principal } from '../auth/current-account';
import { CLOCK, type Clock } from '../common/clock';
import { badInput, DomainError, forbidden, notFound } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { lockDatasetConsensus } from '../database/advisory-locks';
import { inTransaction } from '../database/transaction';
import { canManage, canView } from '../datasets/dataset-access';
import { DatasetStatus, ItemStatus } from '../datasets/dataset-status';
import { appealOpen, appealWindowOver } from './appeal-window';
import { disputeModel } from './dispute-views';
import { DisputeKind } from './dispute-status';
import type { DisputeModel } from './dispute.model';
import { DisputesRepository } from './disputes.repository';
import { PRIORITY_OF } from './priorities';
import { NOTE_MAX_LENGTH } from './resolution-rules';
import { SourcesRepository } from './sources.repository';

const REFUSED_ALREADY = (what: string): DomainError =>
  new DomainError('ALREADY_DISPUTED', `${what} already has a dispute`);

// The cases people raise: a labeler's appeal of their own rejected assignment, and an owner's
// flag on a regular item's result. (LOW_AGREEMENT cases come with the consensus run that marks
// an item DISPUTED; GOLD_CONTEST cases are raised by the system after full runs.)
@Injectable()
export class DisputeSourcesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sources: SourcesRepository,
    private readonly disputes: DisputesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  // Once per assignment, its own worker's, REJECTED, within the dataset's appeal window of its
  // verdict. The case shows the assignment's gold items: a verdict is decided on gold only.
  async appeal(principal: Principal, params: { assignmentId: string; reason: string }): Promise<DisputeModel> {
    const reason = checkedText(params.reason, 'reason');
    if (!isUuid(params.assignmentId)) throw notFound('Assignment');
    return inTransaction(this.dataSource, async (manager) => {
      const assignment = await this.sources.lockOwnAssignment(manager, {
        id: params.assignmentId,
        workerId: principal.id,
      });
      if (!assignment) throw notFound('Assignment');
      if (assignment.appealed) throw REFUSED_ALREADY('This assignment');
      if (assignment.status !== 'REJECTED' || assignment.verdictAt === null)
        throw new DomainError(
          'CONFLICT',
          `Only a REJECTED assignment can be appealed; this one is ${assignment.status}`,
        );
      const now = this.clock.now();
      if (!appealOpen({ verdictAt: assignment.verdictAt, appealWindowSeconds: assignment.appealWindowSeconds, now })) {
        throw new DomainError(
          'APPEAL_WINDOW_CLOSED',
          `Appeals on this dataset are accepted for ${assignment.appealWindowSeconds} seconds after the verdict`,
        );
      }
      const created = await this.disputes.insert(manager, {
        datasetId: assignment.datasetId,
        kind: DisputeKind.APPEAL,
        priority: PRIORITY_OF[DisputeKind.APPEAL],
        itemId: null,
        assignmentId: assignment.id,
        itemIds: assignment.goldItemIds,
        raisedBy: principal.id,
        reason,
      });
      if (!created) throw REFUSED_ALREADY('This assignment');
      await recordAudit(manager, {
        actorId: principal.id,
        action: 'dispute.appeal',
        subject: `dispute:${created.id}`,
        data: { assignmentId: assignment.id },
      });
      return disputeModel(created, principal, now);
    });
  }

  // The owner (or ADMIN) asks for a human decision on a regular item's result. The item is
  // DISPUTED until decided (consensus leaves it alone, the dataset does not complete meanwhile).
  // Under the consensus lock, so a run in progress finishes before the item changes status.
  async flag(principal: Principal, params: { itemId: string; reason: string }): Promise<DisputeModel> {
    const reason = checkedText(params.reason, 'reason');
    if (!isUuid(params.itemId)) throw notFound('Item');
    const item = await this.sources.findItem(this.dataSource.manager, params.itemId);
    const dataset = item && { ownerId: item.ownerId, status: item.datasetStatus };
    if (!item || !dataset || !canView(principal, dataset)) throw notFound('Item');
    if (!canManage(principal, dataset))
      throw forbidden('Only the owner of the dataset or an admin can flag its results');
    if (item.isGold) throw badInput("Only a regular item's result can be flagged", { field: 'itemId' });
    if (item.datasetStatus === DatasetStatus.DRAFT || item.datasetStatus === DatasetStatus.CANCELLED)
      throw new DomainError('DATASET_NOT_OPEN', `This dataset is ${item.datasetStatus.toLowerCase()}`);
    return inTransaction(this.dataSource, async (manager) => {
      await lockDatasetConsensus(manager, item.datasetId);
      const status = await this.sources.lockItem(manager, item.id);
      if (status === ItemStatus.DISPUTED) throw REFUSED_ALREADY('This item');
      const current = await this.sources.findItem(manager, item.id);
      if (!current?.hasResult || (status !== ItemStatus.LABELED && status !== ItemStatus.RESOLVED))
        throw new DomainError('CONFLICT', 'This item has no final result yet');
      const now = this.clock.now();
      if (
        item.datasetStatus === DatasetStatus.COMPLETED &&
        appealWindowOver({
          lastVerdictAt: await this.sources.lastVerdictAt(manager, item.datasetId),
          appealWindowSeconds: item.appealWindowSeconds,
          now,
        })
      ) {
        throw new DomainError('APPEAL_WINDOW_CLOSED', 'This dataset is completed and its appeal window is over');
      }
      const created = await this.disputes.insert(manager, {
        datasetId: item.datasetId,
        kind: DisputeKind.REQUESTER_FLAG,
        priority: PRIORITY_OF[DisputeKind.REQUESTER_FLAG],
        itemId: item.id,
        assignmentId: null,
        itemIds: [item.id],
        raisedBy: principal.id,
        reason,
      });
      if (!created) throw REFUSED_ALREADY('This item');
      await this.sources.markDisputed(manager, item.id);
      await recordAudit(manager, {
        actorId: principal.id,
        action: 'dispute.flag',
        subject: `dispute:${created.id}`,
        data: { itemId: item.id },
      });
      return disputeModel(created, principal, now);
    });
  }
}

export function checkedText(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length < 1 || text.length > NOTE_MAX_LENGTH)
    throw badInput(`${field} must be 1 to ${NOTE_MAX_LENGTH} characters`, { field });
  return text;
}
