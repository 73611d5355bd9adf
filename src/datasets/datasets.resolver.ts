import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentAccount, Roles, type Principal } from '../auth/current-account';
import { Role } from '../auth/role';
import { forbidden } from '../common/domain-error';
import { TokenAmountScalar } from '../common/graphql-types';
import { PageArgs, type Page } from '../common/pagination';
import { CreateDatasetInput, ItemInput } from './dataset.input';
import {
  AddItemsResultModel,
  DatasetConnection,
  DatasetModel,
  DatasetProgressModel,
  GoldPoolModel,
  type DatasetFunding,
} from './dataset.model';
import { DatasetLifecycleService } from './dataset-lifecycle.service';
import { DatasetRefundService } from './dataset-refund.service';
import { DatasetsService } from './datasets.service';
import { ItemIngestService } from './item-ingest.service';

function fundingOf(dataset: DatasetModel): DatasetFunding {
  if (!dataset.funding) throw forbidden('Only the owner of the dataset or an admin can see its funding');
  return dataset.funding;
}

// Translates GraphQL to the services; access rules live in the services and dataset-access.ts.
@Resolver(() => DatasetModel)
export class DatasetsResolver {
  constructor(
    private readonly service: DatasetsService,
    private readonly lifecycle: DatasetLifecycleService,
    private readonly refunds: DatasetRefundService,
    private readonly ingest: ItemIngestService,
  ) {}

  @Query(() => DatasetModel, {
    nullable: true,
    description: 'null when the dataset does not exist or is not visible to the caller.',
  })
  dataset(
    @CurrentAccount() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<DatasetModel | null> {
    return this.service.findVisible(principal, id);
  }

  @Query(() => DatasetConnection, {
    description: 'Newest first. ADMIN and REVIEWER see every dataset; others their own and all OPEN ones.',
  })
  datasets(@CurrentAccount() principal: Principal, @Args() page: PageArgs): Promise<Page<DatasetModel>> {
    return this.service.list(principal, page);
  }

  @Roles(Role.REQUESTER, Role.ADMIN)
  @Mutation(() => DatasetModel)
  createDataset(
    @CurrentAccount() principal: Principal,
    @Args('input') input: CreateDatasetInput,
  ): Promise<DatasetModel> {
    return this.service.create(principal, input);
  }

  @Mutation(() => AddItemsResultModel, {
    description: 'Small batches (up to 1000 items) while DRAFT; use POST /datasets/:id/items for files.',
  })
  addItems(
    @CurrentAccount() principal: Principal,
    @Args('datasetId', { type: () => ID }) datasetId: string,
    @Args('items', { type: () => [ItemInput] }) items: ItemInput[],
  ): Promise<AddItemsResultModel> {
    return this.ingest.addItems(principal, { datasetId, items });
  }

  @Mutation(() => DatasetModel)
  publishDataset(
    @CurrentAccount() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<DatasetModel> {
    return this.lifecycle.publish(principal, id);
  }

  @Mutation(() => DatasetModel)
  pauseDataset(
    @CurrentAccount() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<DatasetModel> {
    return this.lifecycle.pause(principal, id);
  }

  @Mutation(() => DatasetModel)
  resumeDataset(
    @CurrentAccount() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<DatasetModel> {
    return this.lifecycle.resume(principal, id);
  }

  @Mutation(() => DatasetModel, {
    description:
      'No more submissions; committed becomes what work in flight (leases until they end, submissions until their verdict) can still cost. budget − spent − committed is refundable once nothing more can be owed.',
  })
  cancelDataset(
    @CurrentAccount() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<DatasetModel> {
    return this.lifecycle.cancel(principal, id);
  }

  @Mutation(() => DatasetModel, {
    description:
      "Owner only. Once the dataset is COMPLETED or CANCELLED and nothing more can be owed (no lease in progress, no verdict pending, appeal window over), sends `refundable` to the owner's wallet on chain (PayoutVault.refund), exactly once. Idempotent: with nothing refundable it returns the dataset unchanged.",
  })
  refundDataset(
    @CurrentAccount() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<DatasetModel> {
    return this.refunds.refund(principal, id);
  }

  @Roles(Role.ADMIN)
  @Mutation(() => DatasetModel, { description: 'Off-chain funding: budget += amount, audited.' })
  creditDatasetBudget(
    @CurrentAccount() principal: Principal,
    @Args('datasetId', { type: () => ID }) datasetId: string,
    @Args('amount', { type: () => TokenAmountScalar }) amount: bigint,
  ): Promise<DatasetModel> {
    return this.lifecycle.credit(principal, { datasetId, amount });
  }

  @Mutation(() => DatasetModel, {
    description:
      'Owner or ADMIN: moves uncommitted budget into the dispute reserve (when resolutions are refused with INSUFFICIENT_BUDGET).',
  })
  topUpDisputeReserve(
    @CurrentAccount() principal: Principal,
    @Args('datasetId', { type: () => ID }) datasetId: string,
    @Args('amount', { type: () => TokenAmountScalar }) amount: bigint,
  ): Promise<DatasetModel> {
    return this.lifecycle.topUpDisputeReserve(principal, { datasetId, amount });
  }

  @ResolveField('rewardPerAnswer', () => TokenAmountScalar)
  rewardPerAnswer(@Parent() dataset: DatasetModel): bigint {
    return dataset.rewardPerAnswerUnits;
  }

  @ResolveField('reviewReward', () => TokenAmountScalar, {
    description: 'Paid to the reviewer per resolved dispute, from the dispute reserve.',
  })
  reviewReward(@Parent() dataset: DatasetModel): bigint {
    return dataset.reviewRewardUnits;
  }

  @ResolveField('disputeReserve', () => TokenAmountScalar, {
    description:
      'What is left of the dispute reserve (part of committed): retroactive acceptances and review rewards are paid from it. Owner and ADMIN only.',
  })
  disputeReserve(@Parent() dataset: DatasetModel): bigint {
    return fundingOf(dataset).disputeReserve;
  }

  @ResolveField('budget', () => TokenAmountScalar, {
    description: 'Confirmed deposits plus admin credits. Owner and ADMIN only.',
  })
  budget(@Parent() dataset: DatasetModel): bigint {
    return fundingOf(dataset).budget;
  }

  @ResolveField('committed', () => TokenAmountScalar, {
    description: 'Reserved for answers still to be collected. Owner and ADMIN only.',
  })
  committed(@Parent() dataset: DatasetModel): bigint {
    return fundingOf(dataset).committed;
  }

  @ResolveField('spent', () => TokenAmountScalar, {
    description:
      'Paid out of the budget: accepted answers, retroactive acceptances and review rewards. Owner and ADMIN only.',
  })
  spent(@Parent() dataset: DatasetModel): bigint {
    return fundingOf(dataset).spent;
  }

  @ResolveField('refundable', () => TokenAmountScalar, {
    description:
      'budget − spent − committed − refunded (at most what on-chain deposits brought) once nothing more can be owed (nothing in flight, appeal window over, no dispute open, dispute reserve released); 0 before. Owner and ADMIN only.',
  })
  refundable(@Parent() dataset: DatasetModel): Promise<bigint> {
    fundingOf(dataset); // FORBIDDEN for anyone but the owner and ADMIN, like every funding field
    return this.refunds.refundableOf(dataset);
  }

  @ResolveField('refunded', () => TokenAmountScalar, {
    description: "Sent (or being sent) back to the owner's wallet by refundDataset. Owner and ADMIN only.",
  })
  refunded(@Parent() dataset: DatasetModel): bigint {
    return fundingOf(dataset).refunded;
  }

  @ResolveField('depositKey', () => String, {
    description: 'bytes32 for PayoutVault.deposit: keccak256 of the UTF-8 dataset id. Owner and ADMIN only.',
  })
  depositKey(@Parent() dataset: DatasetModel): string {
    return fundingOf(dataset).depositKey;
  }

  @ResolveField('goldPool', () => GoldPoolModel, {
    description:
      'How far the gold goes: exposures used and left, retired and exhausted gold, warnings. Owner and ADMIN only.',
  })
  goldPool(@Parent() dataset: DatasetModel): Promise<GoldPoolModel> {
    return this.service.goldPool(dataset);
  }

  @ResolveField('goldCapacity', () => Int, {
    nullable: true,
    description:
      'Tasks one worker can take before running out of gold they have not seen (null without gold). Owner and ADMIN only.',
  })
  async goldCapacity(@Parent() dataset: DatasetModel): Promise<number | null> {
    return (await this.service.goldPool(dataset)).capacityPerWorker;
  }

  @ResolveField('warnings', () => [String], {
    description:
      'What the owner should fix or know (e.g. a gold pool too small for the dataset); also worth reading right after publishDataset. Owner and ADMIN only.',
  })
  async warnings(@Parent() dataset: DatasetModel): Promise<string[]> {
    return (await this.service.goldPool(dataset)).warnings;
  }

  @ResolveField('progress', () => DatasetProgressModel, { description: 'Owner and ADMIN only.' })
  progress(@Parent() dataset: DatasetModel): Promise<DatasetProgressModel> {
    return this.service.progress(dataset);
  }
}
