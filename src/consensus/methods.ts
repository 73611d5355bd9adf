import type { ConfusionPrior } from './confusion-prior';
import { dawidSkene } from './dawid-skene';
import { glad } from './glad';
import { ibcc } from './ibcc';
import { lfc } from './lfc';
import { mace } from './mace';
import { majorityVote, weightedMajorityVote } from './majority-vote';
import { oneCoin } from './one-coin';
import type { AggregationResult, AnswerMatrix, GoldLabels } from './types';

// Dispatch to one concrete method, raw posteriors (no calibration, no AUTO): what aggregate()
// and the AUTO selection build on.

interface Common {
  matrix: AnswerMatrix;
  gold?: GoldLabels;
}

interface Iterative {
  tol?: number;
  maxIterations?: number;
}

export type MethodInput =
  | (Common & { method: 'mv' })
  | (Common & { method: 'wmv'; workerAccuracy?: Float64Array; priorAlpha?: number; priorBeta?: number })
  | (Common & Iterative & { method: 'ds' | 'one-coin' | 'glad' | 'mace' })
  | (Common & Iterative & { method: 'lfc' | 'ibcc'; prior?: ConfusionPrior });

export function runMethod(input: MethodInput): AggregationResult {
  switch (input.method) {
    case 'mv':
      return majorityVote(input);
    case 'wmv':
      return weightedMajorityVote(input);
    case 'ds':
      return dawidSkene(input);
    case 'one-coin':
      return oneCoin(input);
    case 'lfc':
      return lfc(input);
    case 'glad':
      return glad(input);
    case 'mace':
      return mace(input);
    case 'ibcc':
      return ibcc(input);
    default: {
      const unknown: never = input;
      throw new RangeError(`unknown aggregation method ${(unknown as { method: string }).method}`);
    }
  }
}
