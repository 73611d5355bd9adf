import { chooseMethod, type AutoChoice, type AutoSettings } from './auto';
import { answersPerItem } from './answer-matrix';
import { applyCalibration, type Calibration } from './calibration';
import { AUTO_SETTINGS, CONFIDENCE_CALIBRATION, methodDefaults, type MethodSelection } from './defaults';
import { runMethod, type MethodInput } from './methods';
import {
  AGGREGATION_METHOD_CODES,
  type AggregationMethodCode,
  type AggregationResult,
  type AnswerMatrix,
  type GoldLabels,
} from './types';

export type { MethodInput } from './methods';

// The single entry point for categorical aggregation, shared by the CLI and the consensus
// service so both produce byte-identical labels for the same answers: resolve AUTO to a method,
// run it, and turn its posteriors into calibrated confidence.

interface CalibrationOption {
  /** Overrides the method's calibration (NO_CALIBRATION = the raw posteriors). */
  calibration?: Calibration;
}

export type AggregateInput =
  | (MethodInput & CalibrationOption)
  | ({ method: 'auto'; matrix: AnswerMatrix; gold?: GoldLabels; auto?: Partial<AutoSettings> } & CalibrationOption);

export interface AggregateResult extends AggregationResult {
  /** How AUTO chose the method; absent when a method was asked for by name. */
  readonly selection?: AutoChoice;
}

export const METHOD_SELECTIONS: readonly MethodSelection[] = ['auto', ...AGGREGATION_METHOD_CODES];

export function isMethodSelection(value: string): value is MethodSelection {
  return (METHOD_SELECTIONS as readonly string[]).includes(value);
}

/** Maps the GraphQL `AggregationMethod` enum names to method codes. */
export const METHOD_CODE_BY_ENUM = {
  MAJORITY_VOTE: 'mv',
  WEIGHTED_MAJORITY_VOTE: 'wmv',
  DAWID_SKENE: 'ds',
  ONE_COIN_DAWID_SKENE: 'one-coin',
  LFC: 'lfc',
  GLAD: 'glad',
  MACE: 'mace',
  IBCC: 'ibcc',
  AUTO: 'auto',
} as const satisfies Record<string, MethodSelection>;

export function aggregate(input: AggregateInput): AggregateResult {
  let selection: AutoChoice | undefined;
  let result: AggregationResult;
  if (input.method === 'auto') {
    selection = chooseMethod({ matrix: input.matrix, gold: input.gold, settings: { ...AUTO_SETTINGS, ...input.auto } });
    result = runMethod({ ...selection.settings, matrix: input.matrix, gold: input.gold } as MethodInput);
  } else {
    result = runMethod(withDefaults(input));
  }
  const confidence = applyCalibration({
    table: { values: result.posteriors, k: input.matrix.numClasses },
    labels: result.labels,
    answers: answersPerItem(input.matrix),
    calibration: input.calibration ?? CONFIDENCE_CALIBRATION[result.method],
  });
  return { ...result, confidence, ...(selection ? { selection } : {}) };
}

/** Fills in the default settings (e.g. LFC's prior) the caller did not give. */
function withDefaults(input: MethodInput): MethodInput {
  return { ...methodDefaults(input.method as AggregationMethodCode), ...input } as MethodInput;
}
