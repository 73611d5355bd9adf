import { Field, ID, InputType } from '@nestjs/graphql';
import { JSONScalar } from '../common/graphql-types';
import { GoldVerdict } from './dispute-status';

// Shapes only: what each kind of case accepts is decided in resolution-rules.ts.

@InputType('GoldDecision')
export class GoldDecisionInput {
  @Field(() => ID) itemId: string;
  @Field(() => GoldVerdict) verdict: GoldVerdict;
  @Field(() => JSONScalar, { nullable: true, description: 'CORRECT: the new gold label.' }) label?: unknown;
}

@InputType()
export class ResolveDisputeInput {
  @Field(() => JSONScalar, { nullable: true, description: 'LOW_AGREEMENT / REQUESTER_FLAG: the final label.' })
  label?: unknown;
  @Field(() => Boolean, {
    nullable: true,
    description: 'LOW_AGREEMENT / REQUESTER_FLAG: buy more answers instead, within the budget.',
  })
  requeue?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'APPEAL: accept (and pay) the appealed assignment.' }) uphold?:
    | boolean
    | null;
  @Field(() => [GoldDecisionInput], {
    nullable: true,
    description: 'APPEAL / GOLD_CONTEST: a verdict for each gold item of the case.',
  })
  gold?: GoldDecisionInput[] | null;
  @Field({ description: 'Shown to the appellant.' }) note: string;
}
