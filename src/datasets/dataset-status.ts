// Pure: registered as GraphQL enums in dataset.model.ts, so pure modules can use them.
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

export interface LabelSchema {
  kind: LabelKind;
  classes?: string[];
  min?: number;
  max?: number;
}
