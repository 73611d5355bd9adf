import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../common/graphql-types';
import { Connection } from '../common/pagination';
import { DisputeKind, DisputeOutcome, DisputeStatus, GoldVerdict } from './dispute-status';

// GraphQL shapes of the disputes area, mapped explicitly (dispute-views.ts). Dispute is what
// appellants, owners and reviewers list: no label, no worker. DisputeCase and what it holds are
// for the lease holder and ADMIN only: gold labels are there, workers only as per-case
// pseudonyms — never an account id or a wallet address.

@ObjectType('Dispute')
export class DisputeModel {
  @Field(() => ID) id: string;
  @Field(() => DisputeKind) kind: DisputeKind;
  @Field(() => DisputeStatus, {
    description:
      'IN_REVIEW while a reviewer holds a live lease; an expired lease returns the case to OPEN (or ESCALATED).',
  })
  status: DisputeStatus;
  @Field(() => ID) datasetId: string;
  @Field(() => ID, { nullable: true, description: 'LOW_AGREEMENT, GOLD_CONTEST, REQUESTER_FLAG; null for APPEAL.' })
  itemId: string | null;
  @Field(() => ID, {
    nullable: true,
    description:
      'APPEAL; shown only to the appellant, the dataset owner and ADMIN (null for anyone else, reviewers included).',
  })
  assignmentId: string | null;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) leaseExpiresAt: Date | null;
  @Field(() => Date, { nullable: true }) resolvedAt: Date | null;
  @Field(() => DisputeOutcome, { nullable: true }) outcome: DisputeOutcome | null;
  @Field(() => String, { nullable: true, description: "The reviewer's note (shown to the appellant)." }) note:
    | string
    | null;
}

export const DisputeConnection = Connection(DisputeModel, 'Dispute');

@ObjectType('CaseAnswer')
export class CaseAnswerModel {
  @Field({ description: 'A pseudonym for this case only (W1, W2, ...): never an account id or an address.' })
  worker: string;
  @Field(() => JSONScalar) label: unknown;
  @Field(() => Float, { nullable: true, description: "The worker's estimated accuracy on this dataset." })
  workerAccuracy: number | null;
  @Field({ description: 'This answer is the appellant’s.' }) appellant: boolean;
  @Field({ description: 'The answer counts in the consensus (its assignment was accepted within its slots).' })
  counted: boolean;
}

@ObjectType('CaseItem')
export class CaseItemModel {
  @Field(() => ID) itemId: string;
  @Field(() => JSONScalar) payload: unknown;
  @Field({ description: 'A gold item (shown in APPEAL and GOLD_CONTEST cases only).' }) gold: boolean;
  @Field(() => JSONScalar, { nullable: true, description: 'The gold label, or the current consensus label.' })
  referenceLabel: unknown;
  @Field(() => Float, { nullable: true }) confidence: number | null;
  @Field({ description: 'Gold retired by an earlier decision: never handed out again, counts nowhere.' })
  retired: boolean;
  @Field(() => GoldVerdict, {
    nullable: true,
    description: 'APPEAL: the verdict another case already gave this gold item since the appeal was made.',
  })
  verdictGiven: GoldVerdict | null;
  @Field(() => [CaseAnswerModel]) answers: CaseAnswerModel[];
}

@ObjectType('DisputeCase')
export class DisputeCaseModel {
  @Field(() => DisputeModel) dispute: DisputeModel;
  @Field(() => String, { nullable: true }) instructions: string | null;
  @Field(() => JSONScalar) labelSchema: unknown;
  @Field(() => [CaseItemModel]) items: CaseItemModel[];
}

@ObjectType('ReviewerStats')
export class ReviewerStatsModel {
  @Field(() => ID) reviewerId: string;
  @Field(() => Int) resolved: number;
  @Field(() => Int) escalated: number;
  @Field(() => Int, { description: 'Decisions a later decision on the same item or gold contradicted.' })
  overturned: number;
  @Field(() => Float, { nullable: true, description: 'Median time from taking a case to resolving it.' })
  medianSecondsToResolve: number | null;
}
