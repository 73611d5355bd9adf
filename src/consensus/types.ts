// Shared shapes of the consensus module. Answers are column-oriented typed arrays (one entry per
// answer, no per-answer objects) so ten million answers cost ~120 MB instead of gigabytes of
// object headers, and the EM inner loops stay monomorphic and cache-friendly.

/** Answers of one dataset, densely indexed. Entry `a` says worker `workerIndex[a]` gave class
 * `labelIndex[a]` to item `itemIndex[a]`. Duplicate (item, worker) pairs are allowed and each
 * counts as a separate answer, as in the source data. */
export interface AnswerMatrix {
  readonly numItems: number;
  readonly numWorkers: number;
  readonly numClasses: number;
  readonly itemIndex: Int32Array;
  readonly workerIndex: Int32Array;
  readonly labelIndex: Int32Array;
}

/** Gold labels per item: `gold[i]` is the class index of item i, or NO_GOLD. */
export type GoldLabels = Int32Array;

export const NO_GOLD = -1;
/** Label of an item that has neither answers nor gold. */
export const NO_LABEL = -1;

/** Every aggregation method, in the order help texts and AUTO's candidates list them. */
export const AGGREGATION_METHOD_CODES = ['mv', 'wmv', 'ds', 'one-coin', 'lfc', 'glad', 'mace', 'ibcc'] as const;

export type AggregationMethodCode = (typeof AGGREGATION_METHOD_CODES)[number];

export function isAggregationMethodCode(value: string): value is AggregationMethodCode {
  return (AGGREGATION_METHOD_CODES as readonly string[]).includes(value);
}

export interface AggregationResult {
  readonly method: AggregationMethodCode;
  /** Chosen class per item (NO_LABEL when the item has no answers and no gold). */
  readonly labels: Int32Array;
  /** Probability of the chosen class per item, in [0, 1]; 0 for unlabeled items. */
  readonly confidence: Float64Array;
  /** Row-major numItems x numClasses posterior (rows of unlabeled items are all zero). */
  readonly posteriors: Float64Array;
  /** Estimated probability that each worker answers correctly, in (0, 1). */
  readonly workerAccuracy: Float64Array;
  /** EM iterations run (0 for the one-pass methods). */
  readonly iterations: number;
  /** False when an iterative method stopped at its iteration cap. */
  readonly converged: boolean;
}
