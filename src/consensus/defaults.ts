import type { AutoSettings } from './auto';
import type { Calibration } from './calibration';
import type { ConfusionPrior } from './confusion-prior';
import type { MethodInput } from './methods';
import { AGGREGATION_METHOD_CODES, type AggregationMethodCode } from './types';

// Every tunable default of the consensus module in one place. None is tuned per dataset: each
// was chosen by leave-one-dataset-out over the development datasets (choose on four, score on
// the fifth, prefer the best worst case), which bench/accuracy.ts reruns and checks against these
// values. docs/consensus.md explains each choice.

export type MethodSelection = AggregationMethodCode | 'auto';

/** The best fixed method by leave-one-dataset-out: what a dataset (and `aggregate` without
 * --method) uses, and AUTO's fallback when a dataset has too little gold to choose by. AUTO did
 * not beat it under the same test, so it is not the default. */
const FIXED_DEFAULT: AggregationMethodCode = 'ibcc';
export const DEFAULT_METHOD: MethodSelection = FIXED_DEFAULT;

export const LFC_DEFAULT_PRIOR: ConfusionPrior = { strength: 0.5, accuracy: 0.9 };
export const IBCC_DEFAULT_PRIOR: ConfusionPrior = { strength: 0.5, accuracy: 0.8 };

// AUTO weighs every method.
const AUTO_CANDIDATES = AGGREGATION_METHOD_CODES;

/** How each method's posteriors become the confidence the service acts on (calibration.ts). */
export const CONFIDENCE_CALIBRATION: Readonly<Record<AggregationMethodCode, Calibration>> = {
  mv: { scale: 1, exponent: -0.5 },
  wmv: { scale: 0.5, exponent: 0.5 },
  ds: { scale: 2, exponent: 0 },
  'one-coin': { scale: 0.5, exponent: 1 },
  lfc: { scale: 2, exponent: 0.25 },
  ibcc: { scale: 4, exponent: 0 },
  mace: { scale: 2, exponent: 0.25 },
  glad: { scale: 4, exponent: 0.25 },
};

/** A method's settings: its input without the answers and gold. */
export type MethodSettings = MethodInput extends infer T
  ? T extends unknown
    ? Omit<T, 'matrix' | 'gold'>
    : never
  : never;

/** A method's input with its default settings. */
export function methodDefaults(method: AggregationMethodCode): MethodSettings {
  if (method === 'lfc') return { method, prior: LFC_DEFAULT_PRIOR };
  if (method === 'ibcc') return { method, prior: IBCC_DEFAULT_PRIOR };
  return { method };
}

export const AUTO_SETTINGS: AutoSettings = {
  candidates: AUTO_CANDIDATES.map(methodDefaults),
  fallback: methodDefaults(FIXED_DEFAULT),
  minGold: 10,
  folds: 5,
};
