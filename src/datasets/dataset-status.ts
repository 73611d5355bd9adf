import { registerEnumType } from '@nestjs/graphql';

export enum DatasetStatus {
  DRAFT = 'DRAFT',
  OPEN = 'OPEN',
  PAUSED = 'PAUSED',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
}

export enum LabelKind {
  SINGLE_CHOICE = 'SINGLE_CHOICE',
  MULTI_CHOICE = 'MULTI_CHOICE',
  FREE_TEXT = 'FREE_TEXT',
  RATING = 'RATING',
}

// How answers become labels (src/consensus, docs/consensus.md). Names are part of the API: add,
// never rename. The default is chosen by leave-one-dataset-out (DEFAULT_AGGREGATION).
export enum AggregationMethod {
  MAJORITY_VOTE = 'MAJORITY_VOTE',
  WEIGHTED_MAJORITY_VOTE = 'WEIGHTED_MAJORITY_VOTE',
  DAWID_SKENE = 'DAWID_SKENE',
  ONE_COIN_DAWID_SKENE = 'ONE_COIN_DAWID_SKENE',
  LFC = 'LFC',
  GLAD = 'GLAD',
  MACE = 'MACE',
  IBCC = 'IBCC',
  AUTO = 'AUTO',
}

export enum ItemStatus {
  PENDING = 'PENDING',
  IN_PROGRESS = 'IN_PROGRESS',
  LABELED = 'LABELED',
  DISPUTED = 'DISPUTED',
  RESOLVED = 'RESOLVED',
}

registerEnumType(DatasetStatus, { name: 'DatasetStatus' });
registerEnumType(LabelKind, { name: 'LabelKind' });
registerEnumType(AggregationMethod, {
  name: 'AggregationMethod',
  valuesMap: {
    MAJORITY_VOTE: { description: 'Most frequent answer.' },
    WEIGHTED_MAJORITY_VOTE: { description: 'Votes weighted by each worker\'s estimated accuracy (log odds).' },
    DAWID_SKENE: { description: 'Textbook Dawid-Skene (1979): a full confusion matrix per worker, fitted by EM.' },
    ONE_COIN_DAWID_SKENE: { description: 'Dawid-Skene with one accuracy per worker (errors spread evenly).' },
    LFC: { description: 'Dawid-Skene with Dirichlet priors on the confusion matrices, MAP by EM (Raykar et al. 2010).' },
    GLAD: { description: 'Worker ability x item difficulty (Whitehill et al. 2009).' },
    MACE: { description: 'Spammer-aware: each worker either knows the answer or answers by habit (Hovy et al. 2013).' },
    IBCC: { description: 'Bayesian Dawid-Skene fitted by variational inference (Kim & Ghahramani 2012). The default.' },
    AUTO: { description: 'Per dataset, the method that best predicts the dataset\'s own hidden gold items; IBCC without enough gold.' },
  },
});
registerEnumType(ItemStatus, { name: 'ItemStatus' });

export interface LabelSchema {
  kind: LabelKind;
  classes?: string[];
  min?: number;
  max?: number;
}
