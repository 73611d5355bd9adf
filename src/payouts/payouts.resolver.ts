import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentAccount, Public, Roles, type Principal } from '../auth/current-account';
import { Role } from '../auth/role';
import { JSONScalar } from '../common/graphql-types';
import { PageArgs } from '../common/pagination';
import { BatchBuilderService } from './batch-builder.service';
import { PayoutBatchConnection, PayoutBatchModel } from './payout-batch.model';
import { PayoutStatus } from './payout-status';
import { PayoutsQueryService } from './payouts-query.service';

@Resolver(() => PayoutBatchModel)
export class PayoutsResolver {
  constructor(
    private readonly query: PayoutsQueryService,
    private readonly builder: BatchBuilderService,
  ) {}

  // Public: anyone can fetch a manifest and check it against the chain (verify-payout).
  @Public()
  @Query(() => PayoutBatchModel, { nullable: true, description: 'By batch uuid or by bytes32 batchId.' })
  async payoutBatch(@Args('id', { type: () => ID }) id: string): Promise<PayoutBatchModel | null> {
    const batch = await this.query.byIdOrBatchId(id);
    return batch && PayoutBatchModel.from(batch);
  }

  @Query(() => PayoutBatchConnection, {
    description: 'ADMIN: every batch; anyone else: the batches that pay them. Newest first.',
  })
  async payoutBatches(
    @CurrentAccount() principal: Principal,
    @Args() page: PageArgs,
    @Args('status', { type: () => PayoutStatus, nullable: true }) status?: PayoutStatus,
  ): Promise<InstanceType<typeof PayoutBatchConnection>> {
    const viewerId = principal.roles.includes(Role.ADMIN) ? null : principal.id;
    const result = await this.query.page({
      viewerId,
      status: status ?? undefined,
      first: page.first,
      after: page.after,
    });
    return { ...result, edges: result.edges.map((e) => ({ cursor: e.cursor, node: PayoutBatchModel.from(e.node) })) };
  }

  @Roles(Role.ADMIN)
  @Mutation(() => [PayoutBatchModel], {
    description: 'Builds payout batches now (also runs on a schedule); sending follows in the worker.',
  })
  async runPayouts(): Promise<PayoutBatchModel[]> {
    return (await this.builder.buildAll()).map((b) => PayoutBatchModel.from(b));
  }

  @ResolveField('manifest', () => JSONScalar, { description: 'The canonical manifest (see README "Payouts").' })
  manifest(@Parent() batch: PayoutBatchModel): unknown {
    return JSON.parse(batch.manifestText);
  }
}
