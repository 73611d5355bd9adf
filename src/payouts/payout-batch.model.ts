import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { TokenAmountScalar } from '../common/graphql-types';
import { Connection } from '../common/pagination';
import type { PayoutBatchEntity } from './payout-batch.entity';
import { PayoutStatus } from './payout-status';

registerEnumType(PayoutStatus, { name: 'PayoutStatus' });

@ObjectType('PayoutBatch')
export class PayoutBatchModel {
  @Field(() => ID, { description: 'The batch uuid (payoutBatch also accepts batchId).' }) id: string;
  @Field({ description: 'bytes32 id the vault sees: keccak256 of the uuid text.' }) batchId: string;
  @Field(() => PayoutStatus) status: PayoutStatus;
  @Field(() => String, {
    nullable: true,
    description: 'The transaction that paid it (CONFIRMED), else the latest one sent.',
  })
  txHash: string | null;
  @Field(() => Int) recipients: number;
  @Field(() => TokenAmountScalar) total: bigint;
  @Field({ description: 'keccak256 of the canonical manifest JSON (see README "Payouts").' }) manifestHash: string;
  @Field(() => Int, { nullable: true }) blockNumber: number | null;
  @Field(() => String, { nullable: true }) failureReason: string | null;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) confirmedAt: Date | null;
  // Resolved on demand (manifests are large): see PayoutsResolver.manifest.
  manifestText: string;

  static from(entity: PayoutBatchEntity): PayoutBatchModel {
    return Object.assign(new PayoutBatchModel(), {
      id: entity.id,
      batchId: entity.batchId,
      status: entity.status,
      txHash: entity.txHash,
      recipients: entity.recipients,
      total: entity.total,
      manifestHash: entity.manifestHash,
      blockNumber: entity.blockNumber === null ? null : Number(entity.blockNumber),
      failureReason: entity.failureReason,
      createdAt: entity.createdAt,
      confirmedAt: entity.confirmedAt,
      manifestText: entity.manifest,
    });
  }
}

export const PayoutBatchConnection = Connection(PayoutBatchModel, 'PayoutBatch');
