import type { AggregationEngine } from './aggregation-engine';
import type { MethodSelection } from './defaults';
import { METHOD_CODE_BY_ENUM } from './aggregate';

// Shapes shared by the label collectors (label-collector.ts and label-collector-kinds.ts).

export type LabelKindName = 'SINGLE_CHOICE' | 'MULTI_CHOICE' | 'FREE_TEXT' | 'RATING';

export interface CollectorSchema {
  kind: LabelKindName;
  classes?: readonly string[];
  min?: number;
  max?: number;
}

export interface FinishOptions {
  method: MethodSelection;
  /** Where the iterative methods run (default: in this thread). */
  engine?: AggregationEngine;
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
  /** 1 where the item's consensus is a tie (ties.ts): SINGLE_CHOICE items whose two likeliest
   * classes have equal posteriors. Always 0 for the other kinds, whose results have no such
   * runner-up: MULTI_CHOICE decides each class on its own (a class at 0.5 is not a tie between
   * labels), RATING's median has no second candidate, and FREE_TEXT reports only the winning
   * text's share (its tally, with the runner-up, stays inside aggregateFreeText). */
  readonly tied: Uint8Array;
  /** Estimated accuracy per worker; null for kinds without a worker model (RATING). */
  readonly workerAccuracy: Float64Array | null;
  /** Chance-corrected agreement among the answers, for every kind (agreement.ts; null when
   * undefined, e.g. no item with two answers). */
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
  finish(options: FinishOptions): Promise<CollectedResults>;
}

/** Method code -> the name stored in item_results.method (the GraphQL enum name). */
export const METHOD_NAME_BY_CODE = Object.fromEntries(
  Object.entries(METHOD_CODE_BY_ENUM).map(([name, code]) => [code, name]),
) as Record<MethodSelection, string>;
