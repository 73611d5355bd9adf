import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { JSONScalar } from '../common/graphql-types';
import { Connection } from '../common/pagination';
import { AssignmentStatus } from './assignment-status';
import type { AssignmentView } from './assignment-view';
import type { TaskItemView } from './assignments.repository';

registerEnumType(AssignmentStatus, { name: 'AssignmentStatus' });

// The labeler-facing types. Mapped field by field from AssignmentView: gold and regular items
// have the same shape, and nothing here can say which is which, what the gold answer is, or what
// anyone else answered.

@ObjectType('TaskItem', { description: 'An item to label. Gold and regular items look exactly alike.' })
export class TaskItemModel {
  @Field(() => ID) id: string;
  @Field(() => JSONScalar) payload: unknown;

  static list(items: TaskItemView[]): TaskItemModel[] {
    return items.map((item) => Object.assign(new TaskItemModel(), { id: item.id, payload: item.payload }));
  }
}

@ObjectType('Assignment', {
  description: 'A leased task: answer every item before expiresAt. SUBMITTED = waiting for its verdict.',
})
export class AssignmentModel {
  @Field(() => ID) id: string;
  @Field(() => ID) datasetId: string;
  @Field(() => AssignmentStatus) status: AssignmentStatus;
  @Field() expiresAt: Date;
  @Field(() => Date, { nullable: true }) submittedAt: Date | null;
  @Field(() => Date, {
    nullable: true,
    description: 'When ACCEPTED / REJECTED was published; null while SUBMITTED (waiting for its verdict).',
  })
  verdictAt: Date | null;
  @Field(() => [TaskItemModel]) items: TaskItemModel[] | null;
  // Not a GraphQL field: the item ids to load when `items` is selected but was not loaded.
  itemIds: string[];

  static from(view: AssignmentView): AssignmentModel {
    const loaded = Array.isArray(view.items) ? view.items : null;
    return Object.assign(new AssignmentModel(), {
      id: view.id,
      datasetId: view.datasetId,
      status: view.status as AssignmentStatus,
      expiresAt: view.expiresAt,
      submittedAt: view.submittedAt,
      verdictAt: view.verdictAt,
      items: loaded && TaskItemModel.list(loaded),
      itemIds: loaded ? loaded.map((item) => item.id) : (view.items as { ids: string[] }).ids,
    });
  }
}

export const AssignmentConnection = Connection(AssignmentModel, 'Assignment');
