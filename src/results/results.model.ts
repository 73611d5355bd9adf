import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../common/graphql-types';
import { Connection } from '../common/pagination';
import { ItemStatus } from '../datasets/dataset-status';

// GraphQL shapes of aggregation results, mapped explicitly from query rows. Only regular items
// are ever listed: a gold item's label is the requester's own input, and keeping gold out of
// every listing means no column added later can leak one.

@ObjectType('ItemResult')
export class ItemResultModel {
  @Field(() => ID) itemId: string;
  @Field(() => String, { nullable: true }) externalId: string | null;
  @Field(() => JSONScalar, {
    nullable: true,
    description: 'Consensus label (null until aggregated): a class, a list of classes, a number or a text.',
  })
  label: unknown;
  @Field(() => Float, {
    nullable: true,
    description: 'Probability of the label under the aggregation method, in [0, 1].',
  })
  confidence: number | null;
  @Field(() => Int, {
    description: 'Accepted answers the label was computed from (answers so far before aggregation).',
  })
  answers: number;
  @Field(() => ItemStatus) status: ItemStatus;
  @Field(() => String, {
    nullable: true,
    description:
      'The AggregationMethod that produced the label (AUTO: the one it chose; AUTO itself for multi-choice), MEDIAN (ratings) or REVIEW (set by a reviewer, final: never overwritten by aggregation).',
  })
  method: string | null;
}

export const ItemResultConnection = Connection(ItemResultModel, 'ItemResult');

@ObjectType('WorkerQuality')
export class WorkerQualityModel {
  @Field(() => ID) workerId: string;
  @Field(() => Int, { description: 'Answers submitted on this dataset.' }) answers: number;
  @Field(() => Int, { description: 'Gold items answered.' }) goldAnswers: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Share of gold items answered correctly (raw); null without gold.',
  })
  goldAccuracy: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Probability of a correct answer as estimated by the last aggregation (or gold scoring).',
  })
  estimatedAccuracy: number | null;
  @Field() blocked: boolean;
  @Field(() => String, {
    nullable: true,
    description:
      'Why blocked: GOLD_ACCURACY (gold record under the bar) or GOLD_GAMING (gold far better than regular work).',
  })
  blockReason: string | null;
  @Field(() => Int, { description: 'Assignments submitted on this dataset.' }) submittedAssignments: number;
  @Field(() => Int, { description: 'Assignments released or let expire (their gold counts as shown).' })
  abandonedAssignments: number;
  @Field(() => Float, {
    nullable: true,
    description:
      'abandoned / (submitted + abandoned): a worker who claims and gives back a large share may be fishing for gold.',
  })
  releaseRate: number | null;
  @Field(() => Int, { description: 'Submissions waiting for their verdict.' }) pendingAssignments: number;
  @Field(() => Int, { description: 'Accepted regular answers compared with the final consensus label.' })
  regularCompared: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Share of those that agree with the final consensus label (choice kinds).',
  })
  regularAgreement: number | null;
  @Field({
    description:
      'Gold accuracy far above regularAgreement (lower 99% bound of the gap over QUALITY_GAMING_GAP): likely knows the gold.',
  })
  goldGamingSuspected: boolean;
}

export const WorkerQualityConnection = Connection(WorkerQualityModel, 'WorkerQuality');
