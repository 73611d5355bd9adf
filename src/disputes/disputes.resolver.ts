import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentAccount, Roles, type Principal } from '../auth/current-account';
import { Role } from '../auth/role';
import { PageArgs, type Page } from '../common/pagination';
import { DisputeSourcesService } from './dispute-sources.service';
import { DisputeKind, DisputeStatus } from './dispute-status';
import { ResolveDisputeInput } from './dispute.input';
import { DisputeCaseModel, DisputeConnection, DisputeModel, ReviewerStatsModel } from './dispute.model';
import { ResolutionService } from './resolution.service';
import { ReviewQueueService } from './review-queue.service';

// Translates GraphQL to the disputes services; who may do what is decided there.
@Resolver(() => DisputeModel)
export class DisputesResolver {
  constructor(
    private readonly sources: DisputeSourcesService,
    private readonly queue: ReviewQueueService,
    private readonly resolutions: ResolutionService,
  ) {}

  @Roles(Role.REQUESTER, Role.REVIEWER, Role.ADMIN)
  @Query(() => DisputeConnection, {
    description: 'Newest first. REVIEWER and ADMIN: every dispute; REQUESTER: the disputes of their own datasets.',
  })
  disputes(
    @CurrentAccount() principal: Principal,
    @Args() page: PageArgs,
    @Args('datasetId', { type: () => ID, nullable: true }) datasetId?: string | null,
    @Args('status', { type: () => DisputeStatus, nullable: true }) status?: DisputeStatus | null,
    @Args('kind', { type: () => DisputeKind, nullable: true }) kind?: DisputeKind | null,
  ): Promise<Page<DisputeModel>> {
    return this.queue.list(principal, { datasetId, status, kind, first: page.first, after: page.after });
  }

  @Query(() => DisputeConnection, {
    description: 'Your own appeals (and flags), newest first: status, outcome and note — never a label.',
  })
  myDisputes(@CurrentAccount() principal: Principal, @Args() page: PageArgs): Promise<Page<DisputeModel>> {
    return this.queue.mine(principal, page);
  }

  @Roles(Role.REVIEWER, Role.ADMIN)
  @Query(() => DisputeCaseModel, {
    description: 'Everything needed to decide a case: for the reviewer holding its lease, or ADMIN.',
  })
  disputeCase(
    @CurrentAccount() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<DisputeCaseModel> {
    return this.queue.caseOf(principal, id);
  }

  @Roles(Role.REVIEWER, Role.ADMIN)
  @Query(() => ReviewerStatsModel, { description: 'A reviewer’s record: REVIEWER their own, ADMIN anyone’s.' })
  reviewerStats(
    @CurrentAccount() principal: Principal,
    @Args('reviewerId', { type: () => ID, nullable: true }) reviewerId?: string | null,
  ): Promise<ReviewerStatsModel> {
    return this.queue.stats(principal, reviewerId ?? null);
  }

  @Roles(Role.LABELER)
  @Mutation(() => DisputeModel, {
    description: 'Appeal your own REJECTED assignment, once, within the dataset’s appeal window after its verdict.',
  })
  appealAssignment(
    @CurrentAccount() principal: Principal,
    @Args('assignmentId', { type: () => ID }) assignmentId: string,
    @Args('reason') reason: string,
  ): Promise<DisputeModel> {
    return this.sources.appeal(principal, { assignmentId, reason });
  }

  @Roles(Role.REQUESTER, Role.ADMIN)
  @Mutation(() => DisputeModel, {
    description: "Ask a reviewer to decide a regular item's result (owner of the dataset).",
  })
  flagItemResult(
    @CurrentAccount() principal: Principal,
    @Args('itemId', { type: () => ID }) itemId: string,
    @Args('reason') reason: string,
  ): Promise<DisputeModel> {
    return this.sources.flag(principal, { itemId, reason });
  }

  @Roles(Role.REVIEWER, Role.ADMIN)
  @Mutation(() => DisputeCaseModel, {
    nullable: true,
    description:
      'Your next case, leased to you for DISPUTE_LEASE_SECONDS (your live case if you hold one); null when nothing is open for you.',
  })
  claimDispute(
    @CurrentAccount() principal: Principal,
    @Args('datasetId', { type: () => ID, nullable: true }) datasetId?: string | null,
  ): Promise<DisputeCaseModel | null> {
    return this.queue.claim(principal, { datasetId: datasetId ?? null });
  }

  @Roles(Role.REVIEWER, Role.ADMIN)
  @Mutation(() => Boolean, { description: 'Give your case back to the queue.' })
  releaseDispute(
    @CurrentAccount() principal: Principal,
    @Args('disputeId', { type: () => ID }) disputeId: string,
  ): Promise<boolean> {
    return this.queue.release(principal, disputeId);
  }

  @Roles(Role.REVIEWER, Role.ADMIN)
  @Mutation(() => DisputeModel, { description: 'Decide your case (ADMIN: also an escalated case nobody holds).' })
  resolveDispute(
    @CurrentAccount() principal: Principal,
    @Args('disputeId', { type: () => ID }) disputeId: string,
    @Args('input') input: ResolveDisputeInput,
  ): Promise<DisputeModel> {
    return this.resolutions.resolve(principal, { id: disputeId, input });
  }

  @Roles(Role.REVIEWER, Role.ADMIN)
  @Mutation(() => DisputeModel, { description: 'Hand your case to the ADMIN-only queue, with a note.' })
  escalateDispute(
    @CurrentAccount() principal: Principal,
    @Args('disputeId', { type: () => ID }) disputeId: string,
    @Args('note') note: string,
  ): Promise<DisputeModel> {
    return this.queue.escalate(principal, { id: disputeId, note });
  }
}
