import { Field, ID, InputType } from '@nestjs/graphql';
import { JSONScalar } from '../common/graphql-types';

@InputType('AnswerInput')
export class AnswerInput {
  @Field(() => ID) itemId: string;
  @Field(() => JSONScalar, {
    description:
      'SINGLE_CHOICE: a class; MULTI_CHOICE: a list of distinct classes; FREE_TEXT: a string; RATING: a number in [min, max].',
  })
  label: unknown;
}
