import { Field, ObjectType } from '@nestjs/graphql';
import { TokenAmountScalar } from '../common/graphql-types';

@ObjectType('Earnings', { description: 'pending + available + inFlight + paid = everything earned, net of reversals.' })
export class EarningsModel {
  @Field(() => TokenAmountScalar, { description: 'Earnings still in the hold period (PAYOUT_HOLD_SECONDS).' })
  pending: bigint;
  @Field(() => TokenAmountScalar, {
    description: 'Payable now: paid by the next payout run once at least PAYOUT_MIN_AMOUNT.',
  })
  available: bigint;
  @Field(() => TokenAmountScalar, {
    description: 'In payout batches not yet confirmed on chain (PENDING or SUBMITTED).',
  })
  inFlight: bigint;
  @Field(() => TokenAmountScalar, { description: 'In CONFIRMED payout batches.' }) paid: bigint;
}
