import { dawidSkene } from './dawid-skene';
import { majorityVote, weightedMajorityVote } from './majority-vote';
import type { AggregationMethodCode, AggregationResult, AnswerMatrix, GoldLabels } from './types';

// The single entry point for categorical aggregation, shared by the CLI and the consensus
// service so both produce byte-identical labels for the same answers.

interface Common {
  matrix: AnswerMatrix;
  gold?: GoldLabels;
}

export type AggregateInput =
  | (Common & { method: 'mv' })
  | (Common & { method: 'wmv'; workerAccuracy?: Float64Array; priorAlpha?: number; priorBeta?: number })
  | (Common & { method: 'ds'; smoothing?: number; tol?: number; maxIterations?: number });

export const AGGREGATION_METHOD_CODES: readonly AggregationMethodCode[] = ['mv', 'wmv', 'ds'];

export function isAggregationMethodCode(value: string): value is AggregationMethodCode {
  return (AGGREGATION_METHOD_CODES as readonly string[]).includes(value);
}

/** Maps the GraphQL `AggregationMethod` enum names to method codes. */
export const METHOD_CODE_BY_ENUM = {
  MAJORITY_VOTE: 'mv',
  WEIGHTED_MAJORITY_VOTE: 'wmv',
  DAWID_SKENE: 'ds',
} as const satisfies Record<string, AggregationMethodCode>;

export function aggregate(input: AggregateInput): AggregationResult {
  switch (input.method) {
    case 'mv':
      return majorityVote(input);
    case 'wmv':
      return weightedMajorityVote(input);
    case 'ds':
      return dawidSkene(input);
    default: {
      const unknown: never = input;
      throw new RangeError(`unknown aggregation method ${(unknown as { method: string }).method}`);
    }
  }
}
