import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { PageArgs, type Page } from '../common/pagination';
import { AssignmentStatus } from './assignment-status';
import { CurrentAccount, Roles, type Principal } from '../auth/current-account';
import { Role } from '../auth/role';
import { AnswerInput } from './answer.input';
import { AssignmentConnection, AssignmentModel, TaskItemModel } from './assignment.model';
import { ClaimService } from './claim.service';
import { SubmissionService } from './submission.service';

// Labelers only ever reach their own assignments: every call is keyed by the caller's id.
@Resolver(() => AssignmentModel)
export class TasksResolver {
  constructor(
    private readonly claims: ClaimService,
    private readonly submissions: SubmissionService,
  ) {}

  @Roles(Role.LABELER)
  @Query(() => AssignmentConnection, {
    description:
      'Your own assignments, newest first: SUBMITTED ones wait for their verdict; ACCEPTED / REJECTED ones carry verdictAt.',
  })
  async myAssignments(
    @CurrentAccount() principal: Principal,
    @Args() page: PageArgs,
    @Args('status', { type: () => AssignmentStatus, nullable: true }) status?: AssignmentStatus | null,
  ): Promise<Page<AssignmentModel>> {
    const views = await this.claims.mine({
      workerId: principal.id,
      status: status ?? null,
      first: page.first,
      after: page.after,
    });
    return { ...views, edges: views.edges.map((e) => ({ cursor: e.cursor, node: AssignmentModel.from(e.node) })) };
  }

  @Roles(Role.LABELER)
  @Mutation(() => AssignmentModel, {
    nullable: true,
    description:
      'Your next task (on the given dataset, or on any open one). Returns your live assignment if you already hold one there; null when nothing is available to you.',
  })
  async claimTask(
    @CurrentAccount() principal: Principal,
    @Args('datasetId', { type: () => ID, nullable: true }) datasetId?: string | null,
  ): Promise<AssignmentModel | null> {
    const view = await this.claims.claim({ worker: principal, datasetId: datasetId ?? null });
    return view ? AssignmentModel.from(view) : null;
  }

  @Roles(Role.LABELER)
  @Mutation(() => AssignmentModel, {
    description: 'Answer every item of your assignment, once. Retrying the same answers returns the same result.',
  })
  async submitAssignment(
    @CurrentAccount() principal: Principal,
    @Args('assignmentId', { type: () => ID }) assignmentId: string,
    @Args('answers', { type: () => [AnswerInput] }) answers: AnswerInput[],
  ): Promise<AssignmentModel> {
    const view = await this.submissions.submit({
      workerId: principal.id,
      assignmentId,
      answers: answers.map((a) => ({ itemId: a.itemId, label: a.label })),
    });
    return AssignmentModel.from(view);
  }

  // Payloads are read only when a query asks for them (a submit's answer usually does not).
  @ResolveField('items', () => [TaskItemModel])
  async items(@Parent() assignment: AssignmentModel): Promise<TaskItemModel[]> {
    return assignment.items ?? TaskItemModel.list(await this.submissions.items(assignment.itemIds));
  }

  @Roles(Role.LABELER)
  @Mutation(() => Boolean, { description: 'Give your active assignment back; its slot goes to someone else.' })
  releaseAssignment(
    @CurrentAccount() principal: Principal,
    @Args('assignmentId', { type: () => ID }) assignmentId: string,
  ): Promise<boolean> {
    return this.claims.release({ workerId: principal.id, assignmentId });
  }
}
