import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit';
import type { Principal } from '../auth/current-account';
import { CLOCK, type Clock } from '../common/clock';
import { badInput, DomainError, forbidden, notFound } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { formatTokenAmount } from '../common/money';
import { lockDatasetConsensus } from '../database/advisory-locks';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { inTransaction } from '../database/transaction';
import { DatasetLifecycleService } from '../datasets/dataset-lifecycle.service';
import { DatasetStatus } from '../datasets/dataset-status';
import { recordReviewReward } from '../ledger/earnings';
import { enqueueInTransaction } from '../queues/outbox';
import { LateAcceptanceService } from '../tasks/late-acceptance.service';
import { isAdmin } from './dispute-access';
import { freeReserve, lockReserve, spendReserve } from './dispute-reserve';
import { leaseLive, type DisputeRow } from './dispute-row';
import { disputeModel } from './dispute-views';
import { DisputeOutcome, GoldVerdict } from './dispute-status';
import type { DisputeModel } from './dispute.model';
import { DisputesRepository } from './disputes.repository';
import { outcomeOf, planResolution, type GoldDecisionPlan, type ResolutionInputShape } from './resolution-rules';
import { ResolutionRepository, type DecisionRow, type ResolutionTerms } from './resolution.repository';
import { assertLeaseHolder } from './review-queue.service';

const RETIRED = { retired: true };

// What the decision costs the dispute reserve, gathered while it is applied and checked before
// anything is paid: the review reward, an upheld appeal paid beyond its task's slots, and the
// earmarks of the gold re-scores it starts.
interface ReserveUse {
  spend: bigint;
  earmarks: bigint;
}

// Resolving a case: one transaction with everything the decision moves and its audit event,
// under the dataset's consensus lock (an aggregation run never interleaves with a final label)
// and the dataset row lock (the reserve). The reviewer must hold a live lease (ADMIN may decide
// an escalated case nobody holds).
@Injectable()
export class ResolutionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly disputes: DisputesRepository,
    private readonly resolutions: ResolutionRepository,
    private readonly lateAcceptance: LateAcceptanceService,
    private readonly lifecycle: DatasetLifecycleService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async resolve(principal: Principal, params: { id: string; input: ResolutionInputShape }): Promise<DisputeModel> {
    if (!isUuid(params.id)) throw notFound('Dispute');
    const head = await this.disputes.findById(this.dataSource.manager, params.id);
    if (!head) throw notFound('Dispute');
    const resolved = await inTransaction(this.dataSource, async (manager) => {
      await lockDatasetConsensus(manager, head.datasetId);
      const dispute = (await this.disputes.lockById(manager, params.id)) as DisputeRow;
      const now = this.clock.now();
      await this.assertMayDecide(manager, dispute, principal, now);
      const reserve = await lockReserve(manager, dispute.datasetId);
      const terms = await this.resolutions.terms(manager, dispute.datasetId);
      const check = planResolution({
        disputeKind: dispute.kind,
        input: params.input,
        schema: terms.labelSchema,
        goldItemIds: dispute.itemIds,
      });
      if (!check.ok) throw new DomainError(check.code, check.message, { field: check.field });
      const { plan } = check;
      const use: ReserveUse = { spend: reserve.reviewReward, earmarks: 0n };
      const decisions: DecisionRow[] = [];
      const rescores: { itemId: string; goldVersion: number; earmark: bigint }[] = [];
      if (plan.kind === 'LABEL') {
        await this.resolutions.lockItem(manager, dispute.itemId as string);
        await this.resolutions.setReviewLabel(manager, {
          datasetId: dispute.datasetId,
          itemId: dispute.itemId as string,
          label: plan.label,
        });
        decisions.push({ itemId: dispute.itemId as string, verdict: 'LABEL', goldVersion: null, result: plan.label });
      } else if (plan.kind === 'REQUEUE') {
        await this.requeue(manager, { dispute, terms });
      } else {
        const upheld = plan.uphold && dispute.assignmentId !== null ? [dispute.assignmentId] : [];
        for (const gold of await this.resolutions.lockGold(
          manager,
          plan.decisions.map((d) => d.itemId),
        )) {
          const decision = plan.decisions.find((d) => d.itemId === gold.id) as GoldDecisionPlan;
          const applied = await this.applyGoldDecision(manager, {
            dispute,
            decision,
            gold,
            terms,
            excluded: upheld,
            now,
          });
          decisions.push(applied.decision);
          if (applied.rescore) {
            rescores.push(applied.rescore);
            use.earmarks += applied.rescore.earmark;
          }
        }
        // An assignment a gold re-score already accepted is not paid again (one earning each).
        for (const assignmentId of upheld) {
          await this.lateAcceptance.accept(manager, {
            assignmentId,
            at: now,
            payFromReserve: async (amount) => ((use.spend += amount), true),
          });
        }
      }
      const available = freeReserve(reserve);
      if (use.spend + use.earmarks > available) {
        const amounts = {
          required: formatTokenAmount(use.spend + use.earmarks, this.config.tokenDecimals),
          available: formatTokenAmount(available > 0n ? available : 0n, this.config.tokenDecimals),
        };
        throw new DomainError(
          'INSUFFICIENT_BUDGET',
          `The dispute reserve of this dataset is exhausted: this decision needs ${amounts.required} tokens (review reward, retroactive acceptances and what a gold re-score may pay), ${amounts.available} are left. The owner can add to it with topUpDisputeReserve.`,
          amounts,
        );
      }
      await spendReserve(manager, { datasetId: dispute.datasetId, amount: use.spend });
      await recordReviewReward(manager, {
        accountId: principal.id,
        datasetId: dispute.datasetId,
        disputeId: dispute.id,
        amount: reserve.reviewReward,
        availableAt: new Date(now.getTime() + this.config.payoutHoldSeconds * 1000),
      });
      for (const r of rescores) {
        const rescoreId = await this.resolutions.insertRescore(manager, { datasetId: dispute.datasetId, ...r });
        await enqueueInTransaction(manager, {
          name: 'disputes.rescore-gold',
          payload: { rescoreId },
          jobId: `rescore:${rescoreId}`,
        });
      }
      const changedSince =
        plan.kind === 'GOLD' &&
        (await this.resolutions.goldChangedSince(manager, { itemIds: dispute.itemIds, since: dispute.createdAt }));
      const outcome = outcomeOf(dispute.kind, plan, changedSince);
      await this.resolutions.recordDecisions(manager, {
        disputeId: dispute.id,
        reviewerId: principal.id,
        at: now,
        decisions,
      });
      await this.resolutions.finish(manager, {
        id: dispute.id,
        outcome,
        note: plan.note,
        by: principal.id,
        at: now,
        leasedAt: dispute.reviewerId === principal.id ? dispute.leasedAt : now,
      });
      await recordAudit(manager, {
        actorId: principal.id,
        action: 'dispute.resolve',
        subject: `dispute:${dispute.id}`,
        data: {
          outcome,
          reviewReward: reserve.reviewReward.toString(),
          fromReserve: use.spend.toString(),
          earmarked: use.earmarks.toString(),
          goldChanged: rescores.map((r) => r.itemId),
        },
      });
      return (await this.disputes.findById(manager, dispute.id)) as DisputeRow;
    });
    // After the commit: the last open case of a finished dataset lets it complete.
    await this.lifecycle.completeAfter(resolved.datasetId, { askedBy: 'review', after: 'a dispute resolution' });
    return disputeModel(resolved, principal, this.clock.now());
  }

  private async assertMayDecide(
    manager: EntityManager,
    dispute: DisputeRow,
    principal: Principal,
    now: Date,
  ): Promise<void> {
    const heldByOther = leaseLive(dispute, now) && dispute.reviewerId !== principal.id;
    if (isAdmin(principal) && dispute.state === 'ESCALATED' && !heldByOther) {
      if (await this.disputes.isParty(manager, { dispute, accountId: principal.id }))
        throw forbidden('You are a party to this case; another admin must decide it');
      return;
    }
    assertLeaseHolder(dispute, principal, now);
  }

  // More answers instead of a label, while the dataset still buys answers and the item is below
  // its ceiling: paid from what the commitment can spare (like a dynamic overlap top-up), else
  // from budget nothing is committed to (committed now), else refused.
  private async requeue(
    manager: EntityManager,
    params: { dispute: DisputeRow; terms: ResolutionTerms },
  ): Promise<void> {
    const { dispute, terms } = params;
    const itemId = dispute.itemId as string;
    if (terms.status !== DatasetStatus.OPEN && terms.status !== DatasetStatus.PAUSED)
      throw new DomainError(
        'DATASET_NOT_OPEN',
        `This dataset is ${terms.status.toLowerCase()}: it buys no more answers; set a label instead`,
      );
    const item = await this.resolutions.lockItem(manager, itemId);
    if (item.reviewed)
      throw new DomainError(
        'CONFLICT',
        'This item has a reviewed label: replace it with a label, not with more answers',
      );
    if (item.answerCount >= terms.maxAnswersPerItem)
      throw new DomainError(
        'CONFLICT',
        `This item already has maxAnswersPerItem (${terms.maxAnswersPerItem}) answers; set a label instead`,
      );
    const cost = terms.rewardPerAnswer * BigInt(1 + terms.goldPerTask);
    const funds = await this.resolutions.requeueFunds(manager, dispute.datasetId);
    if (funds.headroom < cost) {
      if (funds.free < cost) {
        const amounts = {
          required: formatTokenAmount(cost, this.config.tokenDecimals),
          available: formatTokenAmount(funds.free > 0n ? funds.free : 0n, this.config.tokenDecimals),
        };
        throw new DomainError(
          'INSUFFICIENT_BUDGET',
          `Another answer costs ${amounts.required} tokens and the dataset has ${amounts.available} uncommitted; fund it or set a label`,
          amounts,
        );
      }
      await this.resolutions.commitMore(manager, { datasetId: dispute.datasetId, amount: cost });
    }
    await this.resolutions.requeue(manager, { datasetId: dispute.datasetId, itemId });
  }

  // KEEP, CORRECT or RETIRE one gold item. A change bumps its version and asks for a background
  // re-score (with an earmark of the reserve for what it may pay); either way, every other open
  // GOLD_CONTEST about the item is closed with the same decision.
  private async applyGoldDecision(
    manager: EntityManager,
    params: {
      dispute: DisputeRow;
      decision: GoldDecisionPlan;
      gold: { id: string; goldLabel: unknown; retired: boolean; version: number };
      terms: ResolutionTerms;
      excluded: string[];
      now: Date;
    },
  ): Promise<{ decision: DecisionRow; rescore: { itemId: string; goldVersion: number; earmark: bigint } | null }> {
    const { decision, gold } = params;
    const index = `gold[${params.dispute.itemIds.indexOf(gold.id)}]`;
    if (decision.verdict !== GoldVerdict.KEEP && gold.retired)
      throw badInput(`${index}: this gold item is retired already; KEEP it`, { field: index });
    if (decision.verdict === GoldVerdict.CORRECT && JSON.stringify(decision.label) === JSON.stringify(gold.goldLabel))
      throw badInput(`${index}: that is the current gold label; KEEP it`, { field: `${index}.label` });
    const outcome = decision.verdict === GoldVerdict.KEEP ? DisputeOutcome.GOLD_KEPT : DisputeOutcome.GOLD_CHANGED;
    await this.resolutions.closeGoldContests(manager, {
      itemId: gold.id,
      exceptId: params.dispute.id,
      outcome,
      note: `Decided with case ${params.dispute.id}`,
      at: params.now,
    });
    if (decision.verdict === GoldVerdict.KEEP) {
      return {
        decision: {
          itemId: gold.id,
          verdict: 'KEEP',
          goldVersion: gold.version,
          result: gold.retired ? RETIRED : gold.goldLabel,
        },
        rescore: null,
      };
    }
    const retire = decision.verdict === GoldVerdict.RETIRE;
    const goldVersion = await this.resolutions.changeGold(manager, { itemId: gold.id, label: decision.label, retire });
    const answers = await this.resolutions.rescoreWorstCaseAnswers(manager, {
      datasetId: params.dispute.datasetId,
      itemId: gold.id,
      excluded: params.excluded,
    });
    return {
      decision: { itemId: gold.id, verdict: decision.verdict, goldVersion, result: retire ? RETIRED : decision.label },
      rescore: { itemId: gold.id, goldVersion, earmark: answers * params.terms.rewardPerAnswer },
    };
  }
}
