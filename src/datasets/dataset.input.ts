import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { JSONScalar, TokenAmountScalar } from '../common/graphql-types';
import { AggregationMethod, LabelKind } from './dataset-status';

// Shapes only: every rule (ranges, classes per kind, defaults) lives in dataset-settings.ts and
// item-validation.ts so GraphQL and REST share one validator.

@InputType()
export class LabelSchemaInput {
  @Field(() => LabelKind) kind: LabelKind;
  @Field(() => [String], { nullable: true }) classes?: string[] | null;
  @Field(() => Float, { nullable: true }) min?: number | null;
  @Field(() => Float, { nullable: true }) max?: number | null;
}

@InputType()
export class CreateDatasetInput {
  @Field() name: string;
  @Field(() => String, { nullable: true }) instructions?: string | null;
  @Field(() => LabelSchemaInput) labelSchema: LabelSchemaInput;
  @Field(() => Int, { description: 'Answers collected for every item.' }) answersPerItem: number;
  @Field(() => Int, { nullable: true, description: 'Dynamic overlap ceiling (default = answersPerItem).' })
  maxAnswersPerItem?: number | null;
  @Field(() => Float, { nullable: true, description: "Stop adding answers once an item's confidence reaches this." })
  targetConfidence?: number | null;
  @Field(() => Int) itemsPerTask: number;
  @Field(() => Int, { nullable: true, description: 'Gold items mixed into each assignment (default 0).' })
  goldPerTask?: number | null;
  @Field(() => TokenAmountScalar) rewardPerAnswer: bigint;
  @Field(() => Float, { nullable: true }) minGoldAccuracy?: number | null;
  @Field(() => Int, { nullable: true, description: 'Default 600.' }) leaseSeconds?: number | null;
  @Field(() => AggregationMethod, {
    nullable: true,
    description: 'Default IBCC (chosen by leave-one-dataset-out; see docs/consensus.md).',
  })
  aggregation?: AggregationMethod | null;
  @Field(() => Int, {
    nullable: true,
    description:
      'Most workers one gold item is shown to (default 2 × maxAnswersPerItem), so gold cannot be singled out by how often it comes back.',
  })
  goldExposureCap?: number | null;
  @Field(() => TokenAmountScalar, {
    nullable: true,
    description: 'Paid to the reviewer per resolved dispute (default 0), from the dispute reserve.',
  })
  reviewReward?: bigint | null;
  @Field(() => Int, {
    nullable: true,
    description: 'How long after each verdict a labeler may appeal: 0 (no appeals) … 2592000, default 604800.',
  })
  appealWindowSeconds?: number | null;
  @Field(() => Int, {
    nullable: true,
    description:
      'Extra % of the labeling cost committed at publish for retroactive acceptances and review rewards (default 10).',
  })
  disputeReservePercent?: number | null;
}

@InputType()
export class ItemInput {
  @Field(() => String, { nullable: true }) externalId?: string | null;
  @Field(() => JSONScalar) payload: unknown;
  @Field(() => JSONScalar, { nullable: true }) goldLabel?: unknown;
}
