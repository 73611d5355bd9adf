import type { AggregationMethodCode } from './types';

// Shapes shared by the label collectors (label-collector.ts and label-collector-kinds.ts).

export type LabelKindName = 'SINGLE_CHOICE' | 'MULTI_CHOICE' | 'FREE_TEXT' | 'RATING';

export interface CollectorSchema {
  kind: LabelKindName;
  classes?: readonly string[];
  min?: number;
  max?: number;
}

export interface FinishOptions {
  method: AggregationMethodCode;
  /** Known accuracy per worker (used by 'wmv' on single-choice data); unknown workers fall back
   * to the leave-one-out estimate from the collected answers. */
  knownAccuracy?: (workerId: string) => number | undefined;
}

export interface CollectedResults {
  /** What produced the labels, as stored in item_results.method (e.g. DAWID_SKENE, MEDIAN). */
  readonly method: string;
  readonly itemIds: readonly string[];
  readonly workerIds: readonly string[];
  /** JSON label per item (string, string[], number); null when it has neither answers nor gold. */
  readonly labels: readonly unknown[];
  readonly confidence: Float64Array;
  /** Collected answers per item. */
  readonly answers: Int32Array;
  /** Estimated accuracy per worker; null for kinds without a worker model (RATING). */
  readonly workerAccuracy: Float64Array | null;
  /** Chance-corrected agreement (categorical kinds only, else null). */
  readonly fleissKappa: number | null;
  readonly krippendorffAlpha: number | null;
  /** Item and worker index of every collected answer, in input order. */
  readonly itemIndex: Int32Array;
  readonly workerIndex: Int32Array;
}

export interface LabelCollector {
  /** Adds one answer; a value that does not fit the schema is ignored and false returned. */
  add(item: string, worker: string, value: unknown): boolean;
  /** Records a gold label (gold items are clamped to it); false when it does not fit. */
  addGold(item: string, value: unknown): boolean;
  finish(options: FinishOptions): CollectedResults;
}

export const METHOD_NAME_BY_CODE: Record<AggregationMethodCode, string> = {
  mv: 'MAJORITY_VOTE',
  wmv: 'WEIGHTED_MAJORITY_VOTE',
  ds: 'DAWID_SKENE',
  'one-coin': 'ONE_COIN_DAWID_SKENE',
  lfc: 'LFC',
  glad: 'GLAD',
  mace: 'MACE',
  ibcc: 'IBCC',
};
