import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit';
import type { Principal } from '../auth/current-account';
import { CLOCK, type Clock } from '../common/clock';
import { DomainError, forbidden, notFound } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { decodeTimeIdCursor, pageSize, toPage, type Page } from '../common/pagination';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { inTransaction } from '../database/transaction';
import { disputeListScope, isAdmin, type Viewer } from './dispute-access';
import { leaseLive, type DisputeRow } from './dispute-row';
import { checkedText } from './dispute-sources.service';
import { caseModel, disputeModel } from './dispute-views';
import type { DisputeKind, DisputeStatus } from './dispute-status';
import type { DisputeCaseModel, DisputeModel, ReviewerStatsModel } from './dispute.model';
import { DisputesRepository, type DisputeFilter } from './disputes.repository';

// The reviewer queue: cases are leased like tasks — one reviewer at a time, an expired lease
// returns the case, one live lease per reviewer (asking again returns it) — and the reads of
// cases and disputes.
@Injectable()
export class ReviewQueueService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly disputes: DisputesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  // The reviewer's live case if they hold one, else the next one they may decide (ADMIN: the
  // escalated queue first); null when nothing is open for them.
  async claim(principal: Principal, params: { datasetId: string | null }): Promise<DisputeCaseModel | null> {
    if (params.datasetId !== null && !isUuid(params.datasetId)) throw notFound('Dataset');
    return inTransaction(this.dataSource, async (manager) => {
      // Asking for the cases of one's own dataset is answered plainly (a claim without a dataset
      // skips them silently, like every case one is a party to).
      if (params.datasetId !== null && (await this.disputes.ownerOf(manager, params.datasetId)) === principal.id) {
        throw new DomainError('OWN_DATASET', 'You own this dataset: its disputes go to other reviewers');
      }
      await this.disputes.lockReviewer(manager, principal.id);
      const now = this.clock.now();
      const live = await this.disputes.liveLeaseOf(manager, { reviewerId: principal.id, now });
      const leased =
        live ??
        (await this.disputes.claimNext(manager, {
          reviewerId: principal.id,
          datasetId: params.datasetId,
          queues: isAdmin(principal) ? ['ESCALATED', 'OPEN'] : ['OPEN'],
          now,
          expiresAt: new Date(now.getTime() + this.config.disputeLeaseSeconds * 1000),
        }));
      return leased && this.show(manager, { dispute: leased, viewer: principal, now });
    });
  }

  /** The case for its lease holder, or ADMIN. */
  async caseOf(principal: Principal, id: string): Promise<DisputeCaseModel> {
    if (!isUuid(id)) throw notFound('Dispute');
    return inTransaction(this.dataSource, async (manager) => {
      const dispute = await this.disputes.findById(manager, id);
      if (!dispute) throw notFound('Dispute');
      const now = this.clock.now();
      if (!isAdmin(principal)) assertLeaseHolder(dispute, principal, now);
      return this.show(manager, { dispute, viewer: principal, now });
    });
  }

  async release(principal: Principal, id: string): Promise<boolean> {
    await this.withHeldCase(principal, id, (manager, dispute) => this.disputes.endLease(manager, dispute.id));
    return true;
  }

  // Hands the case to the ADMIN-only queue, with the reviewer's note.
  async escalate(principal: Principal, params: { id: string; note: string }): Promise<DisputeModel> {
    const note = checkedText(params.note, 'note');
    const dispute = await this.withHeldCase(principal, params.id, async (manager, held, now) => {
      if (held.state === 'ESCALATED') throw new DomainError('DISPUTE_NOT_OPEN', 'This case is already escalated');
      await this.disputes.escalate(manager, { id: held.id, by: principal.id, at: now, note });
      await recordAudit(manager, { actorId: principal.id, action: 'dispute.escalate', subject: `dispute:${held.id}` });
    });
    return disputeModel(dispute, principal, this.clock.now());
  }

  async list(
    principal: Principal,
    args: {
      datasetId?: string | null;
      status?: DisputeStatus | null;
      kind?: DisputeKind | null;
      first?: number | null;
      after?: string | null;
    },
  ): Promise<Page<DisputeModel>> {
    if (args.datasetId && !isUuid(args.datasetId)) throw notFound('Dataset');
    return this.page(
      principal,
      {
        scope: disputeListScope(principal),
        datasetId: args.datasetId ?? null,
        status: args.status ?? null,
        kind: args.kind ?? null,
      },
      args,
    );
  }

  /** The caller's own appeals (and flags): status, outcome and note — never a label. */
  async mine(
    principal: Principal,
    args: { first?: number | null; after?: string | null },
  ): Promise<Page<DisputeModel>> {
    return this.page(principal, { scope: 'raised-by', datasetId: null, status: null, kind: null }, args);
  }

  async stats(principal: Principal, reviewerId: string | null): Promise<ReviewerStatsModel> {
    const id = reviewerId ?? principal.id;
    if (id !== principal.id && !isAdmin(principal)) throw forbidden("Only an admin can see another reviewer's record");
    if (!isUuid(id)) throw notFound('Reviewer');
    const s = await this.disputes.reviewerStats(this.dataSource.manager, id);
    return {
      reviewerId: id,
      resolved: s.resolved,
      escalated: s.escalated,
      overturned: s.overturned,
      medianSecondsToResolve: s.median,
    };
  }

  private async page(
    principal: Principal,
    filter: Omit<DisputeFilter, 'viewerId' | 'now'>,
    args: { first?: number | null; after?: string | null },
  ): Promise<Page<DisputeModel>> {
    const first = pageSize(args.first);
    const after = decodeTimeIdCursor(args.after);
    const now = this.clock.now();
    const { rows, totalCount } = await this.disputes.page(this.dataSource.manager, {
      filter: { ...filter, viewerId: principal.id, now },
      limit: first + 1,
      after,
    });
    return toPage({
      rows,
      first,
      totalCount,
      keyOf: (r) => `${r.cursorTime}|${r.id}`,
      map: (r) => disputeModel(r, principal, now),
    });
  }

  // Everything the case shows is written to the viewer's seen items in the same transaction:
  // what a reviewer saw in a case (gold included) is never later given to them as a labeler.
  private async show(
    manager: EntityManager,
    params: { dispute: DisputeRow; viewer: Viewer; now: Date },
  ): Promise<DisputeCaseModel> {
    const { dispute } = params;
    await this.disputes.markSeen(manager, {
      workerId: params.viewer.id,
      datasetId: dispute.datasetId,
      itemIds: dispute.itemIds,
    });
    const content = await this.disputes.caseContent(manager, dispute);
    return caseModel({ dispute, content, viewer: params.viewer, secret: this.config.jwtSecret, now: params.now });
  }

  private async withHeldCase(
    principal: Principal,
    id: string,
    work: (manager: EntityManager, dispute: DisputeRow, now: Date) => Promise<void>,
  ): Promise<DisputeRow> {
    if (!isUuid(id)) throw notFound('Dispute');
    return inTransaction(this.dataSource, async (manager) => {
      const dispute = await this.disputes.lockById(manager, id);
      if (!dispute) throw notFound('Dispute');
      const now = this.clock.now();
      assertLeaseHolder(dispute, principal, now);
      await work(manager, dispute, now);
      return (await this.disputes.findById(manager, id)) as DisputeRow;
    });
  }
}

// Reviewer operations need a live lease: DISPUTE_NOT_OPEN when the case is resolved or the
// caller holds no lease on it, LEASE_EXPIRED when theirs ran out (someone else may hold it now).
export function assertLeaseHolder(dispute: DisputeRow, principal: Viewer, now: Date): void {
  if (dispute.state === 'RESOLVED') throw new DomainError('DISPUTE_NOT_OPEN', 'This case is already resolved');
  if (dispute.reviewerId !== principal.id)
    throw new DomainError('DISPUTE_NOT_OPEN', 'You do not hold this case; claim one with claimDispute');
  if (!leaseLive(dispute, now))
    throw new DomainError('LEASE_EXPIRED', 'Your lease on this case expired; claim it again');
}
