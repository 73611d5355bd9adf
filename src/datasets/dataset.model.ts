import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { JSONScalar } from '../common/graphql-types';
import { Connection } from '../common/pagination';
import { AggregationMethod, DatasetStatus, ItemStatus, LabelKind } from './dataset-status';
import type { DatasetFunds } from './dataset-funds';
import type { DatasetEntity } from './dataset.entity';

registerEnumType(DatasetStatus, { name: 'DatasetStatus' });
registerEnumType(LabelKind, { name: 'LabelKind' });
registerEnumType(AggregationMethod, {
  name: 'AggregationMethod',
  valuesMap: {
    MAJORITY_VOTE: { description: 'Most frequent answer.' },
    WEIGHTED_MAJORITY_VOTE: { description: "Votes weighted by each worker's estimated accuracy (log odds)." },
    DAWID_SKENE: { description: 'Textbook Dawid-Skene (1979): a full confusion matrix per worker, fitted by EM.' },
    ONE_COIN_DAWID_SKENE: { description: 'Dawid-Skene with one accuracy per worker (errors spread evenly).' },
    LFC: {
      description: 'Dawid-Skene with Dirichlet priors on the confusion matrices, MAP by EM (Raykar et al. 2010).',
    },
    GLAD: { description: 'Worker ability x item difficulty (Whitehill et al. 2009).' },
    MACE: { description: 'Spammer-aware: each worker either knows the answer or answers by habit (Hovy et al. 2013).' },
    IBCC: { description: 'Bayesian Dawid-Skene fitted by variational inference (Kim & Ghahramani 2012). The default.' },
    AUTO: {
      description:
        "Per dataset, the method that best predicts the dataset's own hidden gold items; IBCC without enough gold.",
    },
  },
});
registerEnumType(ItemStatus, { name: 'ItemStatus' });

// GraphQL shapes of the datasets area, mapped explicitly from entities: nothing about items (and
// never a gold label) is reachable from here. Funding fields (budget, committed, spent,
// depositKey) and progress are resolved in DatasetsResolver, only for the owner and ADMIN.

@ObjectType('Agreement')
export class AgreementModel {
  @Field(() => Float, { nullable: true }) fleissKappa: number | null;
  @Field(() => Float, { nullable: true }) krippendorffAlpha: number | null;
  @Field(() => Float, { nullable: true }) meanConfidence: number | null;
}

@ObjectType('DatasetProgress')
export class DatasetProgressModel {
  @Field(() => Int, { description: 'Every item, gold included.' }) items: number;
  @Field(() => Int) goldItems: number;
  @Field(() => Int) tasks: number;
  @Field(() => Int, { description: 'Regular items with a final label (LABELED or RESOLVED).' }) labeledItems: number;
  @Field(() => Int, { description: 'Accepted (paid) answers, gold answers included.' }) answers: number;
  @Field(() => Int) activeAssignments: number;
  @Field(() => Int, {
    description: 'Disputes not yet resolved (any kind); the dataset completes only once there are none.',
  })
  openDisputes: number;
}

@ObjectType('GoldPool', { description: 'How far the gold of a dataset goes (owner and ADMIN only).' })
export class GoldPoolModel {
  @Field(() => Int) goldItems: number;
  @Field(() => Int, { description: 'Gold items still handed out (neither retired nor at their exposure cap).' })
  active: number;
  @Field(() => Int, { description: 'Gold items shown to goldExposureCap workers: no longer handed out.' })
  exhausted: number;
  @Field(() => Int, { description: 'Gold items a reviewer retired: never handed out again.' }) retired: number;
  @Field(() => Int, { nullable: true, description: 'Most workers one gold item is shown to; null = no cap.' })
  exposureCap: number | null;
  @Field(() => Int, { description: 'Times gold was shown so far.' }) exposuresUsed: number;
  @Field(() => Int, { nullable: true }) exposuresLeft: number | null;
  @Field(() => Int, { nullable: true, description: 'Tasks one worker can take before running out of unseen gold.' })
  capacityPerWorker: number | null;
  @Field(() => Int, { nullable: true, description: 'Assignments the remaining gold exposures can still cover.' })
  assignmentsCovered: number | null;
  @Field(() => Int, { description: 'Assignments the dataset needs at least (every slot of every task once).' })
  assignmentsNeeded: number;
  @Field(() => [String], { description: 'GOLD_CAPACITY_LOW / GOLD_EXPOSURE_LOW, with what to do.' }) warnings: string[];
}

// Held on the model for the funding resolvers; not a GraphQL field itself.
// Money as it is now, and what the refund decision needs besides it (refund-rules.ts).
export interface DatasetFunding extends DatasetFunds {
  depositKey: string;
  itemCount: number;
  goldItemCount: number;
  disputeReserve: bigint;
}

@ObjectType('Dataset')
export class DatasetModel {
  @Field(() => ID) id: string;
  @Field(() => ID) ownerId: string;
  @Field() name: string;
  @Field(() => String, { nullable: true }) instructions: string | null;
  @Field(() => DatasetStatus) status: DatasetStatus;
  @Field(() => JSONScalar) labelSchema: unknown;
  @Field(() => Int) answersPerItem: number;
  @Field(() => Int) maxAnswersPerItem: number;
  @Field(() => Float, { nullable: true }) targetConfidence: number | null;
  @Field(() => Int) itemsPerTask: number;
  @Field(() => Int) goldPerTask: number;
  @Field(() => Float, { nullable: true }) minGoldAccuracy: number | null;
  @Field(() => Int) leaseSeconds: number;
  @Field(() => AggregationMethod) aggregation: AggregationMethod;
  @Field(() => Int, { description: 'How long after each verdict a labeler may appeal (0: no appeals).' })
  appealWindowSeconds: number;
  @Field(() => Int, { description: '% of the labeling cost committed at publish as the dispute reserve.' })
  disputeReservePercent: number;
  @Field(() => AgreementModel, { nullable: true, description: 'null until enough answers' })
  agreement: AgreementModel | null;
  @Field() createdAt: Date;
  rewardPerAnswerUnits: bigint;
  reviewRewardUnits: bigint;
  funding: DatasetFunding | null;

  static from(entity: DatasetEntity, options: { withFunding: boolean }): DatasetModel {
    return Object.assign(new DatasetModel(), {
      id: entity.id,
      ownerId: entity.ownerId,
      name: entity.name,
      instructions: entity.instructions,
      status: entity.status,
      labelSchema: entity.labelSchema,
      answersPerItem: entity.answersPerItem,
      maxAnswersPerItem: entity.maxAnswersPerItem,
      targetConfidence: entity.targetConfidence,
      itemsPerTask: entity.itemsPerTask,
      goldPerTask: entity.goldPerTask,
      minGoldAccuracy: entity.minGoldAccuracy,
      leaseSeconds: entity.leaseSeconds,
      aggregation: entity.aggregation,
      appealWindowSeconds: entity.appealWindowSeconds,
      disputeReservePercent: entity.disputeReservePercent,
      agreement: null,
      createdAt: entity.createdAt,
      rewardPerAnswerUnits: entity.rewardPerAnswer,
      reviewRewardUnits: entity.reviewReward,
      funding: options.withFunding
        ? {
            budget: entity.budget,
            committed: entity.committed,
            spent: entity.spent,
            refunded: entity.refunded,
            deposited: entity.deposited ?? 0n,
            activeAssignments: entity.activeAssignments ?? 0,
            submittedAssignments: entity.submittedAssignments ?? 0,
            depositKey: entity.depositKey,
            itemCount: entity.itemCount,
            goldItemCount: entity.goldItemCount,
            disputeReserve: entity.disputeReserve,
          }
        : null,
    });
  }
}

export const DatasetConnection = Connection(DatasetModel, 'Dataset');

@ObjectType('RejectedItem')
export class RejectedItemModel {
  @Field(() => Int, { description: 'Position in the items argument, from 0.' }) index: number;
  @Field() code: string;
  @Field() message: string;
}

@ObjectType('AddItemsResult')
export class AddItemsResultModel {
  @Field(() => Int) inserted: number;
  @Field(() => Int, { description: 'Items whose externalId the dataset already had.' }) duplicates: number;
  @Field(() => [RejectedItemModel]) rejected: RejectedItemModel[];
}
