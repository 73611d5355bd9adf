import { Args, ID, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentAccount, type Principal } from '../auth/current-account';
import { PageArgs, type Page } from '../common/pagination';
import { AgreementModel, DatasetModel } from '../datasets/dataset.model';
import {
  ItemResultConnection,
  WorkerQualityConnection,
  type ItemResultModel,
  type WorkerQualityModel,
} from './results.model';
import { ResultsService } from './results.service';

@Resolver()
export class ResultsResolver {
  constructor(private readonly results: ResultsService) {}

  @Query(() => ItemResultConnection, {
    description: 'Consensus result of every regular item, in upload order. Owner or ADMIN.',
  })
  datasetResults(
    @CurrentAccount() principal: Principal,
    @Args('datasetId', { type: () => ID }) datasetId: string,
    @Args() page: PageArgs,
  ): Promise<Page<ItemResultModel>> {
    return this.results.datasetResults(principal, { datasetId, first: page.first, after: page.after });
  }

  @Query(() => WorkerQualityConnection, {
    description: 'Gold record and estimated accuracy of every worker on the dataset. Owner or ADMIN.',
  })
  workerQuality(
    @CurrentAccount() principal: Principal,
    @Args('datasetId', { type: () => ID }) datasetId: string,
    @Args() page: PageArgs,
  ): Promise<Page<WorkerQualityModel>> {
    return this.results.workerQuality(principal, { datasetId, first: page.first, after: page.after });
  }
}

// Dataset.agreement: a primary-key read of what the last full aggregation stored.
@Resolver(() => DatasetModel)
export class DatasetAgreementResolver {
  constructor(private readonly results: ResultsService) {}

  @ResolveField('agreement', () => AgreementModel, {
    nullable: true,
    description: 'Inter-annotator agreement from the last full aggregation; null until enough answers.',
  })
  agreement(@Parent() dataset: DatasetModel): Promise<AgreementModel | null> {
    return this.results.agreement(dataset.id);
  }
}
