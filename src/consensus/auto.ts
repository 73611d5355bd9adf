import type { MethodSettings } from './defaults';
import { runMethod, type MethodInput } from './methods';
import { NO_GOLD, type AggregationMethodCode, type AnswerMatrix, type GoldLabels } from './types';

// AUTO: pick the method for THIS dataset by how well each candidate predicts the dataset's own
// gold items when those are hidden from it (cross-validation on gold). The answered gold items
// are dealt into `folds` folds in item order; every candidate runs once per fold with that fold's
// gold removed (the rest stays clamped) and is scored on the hidden fold. The winner has the most
// hidden gold right; ties go to the fallback when it is among the tied, else to the lower log
// loss, else to the earlier candidate. With fewer than `minGold` answered gold items there is
// nothing to learn from and the fallback is used. The rule is the same for every dataset; its
// settings and whether it is the default are decided by leave-one-dataset-out (docs/consensus.md).

export interface AutoSettings {
  /** Each candidate method with its settings; the first one of a method is the one used. */
  readonly candidates: readonly MethodSettings[];
  readonly fallback: MethodSettings;
  readonly minGold: number;
  readonly folds: number;
}

export interface CandidateScore {
  readonly method: AggregationMethodCode;
  /** Hidden gold items labelled right. */
  readonly correct: number;
  /** Sum of -log P(gold label) over the hidden gold items. */
  readonly logLoss: number;
}

export interface AutoChoice {
  readonly method: AggregationMethodCode;
  readonly settings: MethodSettings;
  readonly reason: 'held-out gold' | 'too little gold';
  /** Answered gold items the choice was scored on. */
  readonly goldItems: number;
  readonly scores: readonly CandidateScore[];
}

export function chooseMethod(params: { matrix: AnswerMatrix; gold?: GoldLabels; settings: AutoSettings }): AutoChoice {
  const { matrix: m, gold, settings } = params;
  const eligible = answeredGold(m, gold);
  if (gold === undefined || eligible.length < Math.max(settings.minGold, settings.folds, 1)) {
    return {
      method: settings.fallback.method,
      settings: settings.fallback,
      reason: 'too little gold',
      goldItems: eligible.length,
      scores: [],
    };
  }
  const scores = settings.candidates.map((candidate) =>
    scoreCandidate({ matrix: m, gold, eligible, folds: settings.folds, candidate }),
  );
  const better = (s: CandidateScore, than: CandidateScore): boolean => {
    if (s.correct !== than.correct) return s.correct > than.correct;
    const isFallback = s.method === settings.fallback.method,
      thanFallback = than.method === settings.fallback.method;
    if (isFallback !== thanFallback) return isFallback;
    return s.logLoss < than.logLoss;
  };
  const best = scores.reduce((b, s) => (better(s, b) ? s : b));
  const chosen = settings.candidates[scores.indexOf(best)];
  return { method: best.method, settings: chosen, reason: 'held-out gold', goldItems: eligible.length, scores };
}

function scoreCandidate(params: {
  matrix: AnswerMatrix;
  gold: GoldLabels;
  eligible: Int32Array;
  folds: number;
  candidate: MethodSettings;
}): CandidateScore {
  const { matrix, gold, eligible, folds, candidate } = params;
  let correct = 0,
    logLoss = 0;
  const k = matrix.numClasses;
  for (let f = 0; f < folds; f++) {
    const training = Int32Array.from(gold);
    for (let j = f; j < eligible.length; j += folds) training[eligible[j]] = NO_GOLD;
    const result = runMethod({ ...candidate, matrix, gold: training } as MethodInput);
    for (let j = f; j < eligible.length; j += folds) {
      const i = eligible[j];
      if (result.labels[i] === gold[i]) correct++;
      logLoss -= Math.log(Math.max(result.posteriors[i * k + gold[i]], 1e-12));
    }
  }
  return { method: candidate.method, correct, logLoss };
}

/** Gold items that have at least one answer, in item order. */
function answeredGold(m: AnswerMatrix, gold: GoldLabels | undefined): Int32Array {
  if (gold === undefined) return new Int32Array(0);
  const answered = new Uint8Array(m.numItems);
  for (let a = 0; a < m.itemIndex.length; a++) answered[m.itemIndex[a]] = 1;
  const out: number[] = [];
  for (let i = 0; i < m.numItems; i++) if (gold[i] !== NO_GOLD && answered[i] === 1) out.push(i);
  return Int32Array.from(out);
}
