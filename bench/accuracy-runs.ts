import {
  applyCalibration,
  chooseMethod,
  expectedCalibrationError,
  runMethod,
  type AggregationMethodCode,
  type AggregationResult,
  type AutoSettings,
  type Calibration,
  type GoldLabels,
  type MethodInput,
  type MethodSettings,
} from '../src/consensus';
import { seededGold, sparseCopy, type TruthDataset } from './truth-data';

// Runs every candidate configuration on every dataset, without gold and with seeded 5% gold, and
// keeps the numbers the leave-one-out procedures need: accuracy and calibration error under every
// candidate calibration.

export const GOLD_SHARE = 0.05;
/** Answers per item in the sparse regime (what dynamic overlap starts items with). */
export const SPARSE_ANSWERS = 3;
export const GOLD_SEEDS = [1, 2, 3, 4, 5];
// T = scale * answers^exponent (calibration.ts). The first entry is no calibration.
export const CALIBRATIONS: readonly Calibration[] = [0, -1, -0.5, 0.25, 0.5, 0.75, 1].flatMap((exponent) =>
  [1, 0.25, 0.5, 2, 4].map((scale) => ({ scale, exponent })),
);
export const RAW = 0;

export interface Config {
  readonly label: string;
  readonly settings: MethodSettings;
}

/** Accuracy and calibration error (one per CALIBRATIONS entry) on a set of items. */
export interface Scores {
  readonly accuracy: number;
  readonly ece: readonly number[];
}

export interface ConfigScores {
  readonly noGold: Scores;
  /** Mean over the gold seeds, on the items that are not gold: the run without gold ... */
  readonly goldNotClamped: Scores;
  /** ... and the run with the gold clamped. */
  readonly goldClamped: Scores;
  /** No gold, at most SPARSE_ANSWERS answers per item (mean over the gold seeds as subsampling seeds). */
  readonly sparse: Scores;
}

export function score(params: { dataset: TruthDataset; result: AggregationResult; items: ArrayLike<number> }): Scores {
  const { dataset, result, items } = params;
  const k = dataset.encoded.matrix.numClasses;
  const labels = new Int32Array(items.length);
  const answers = new Int32Array(items.length);
  const perItem = answerCounts(dataset);
  const correct: boolean[] = [];
  const rows = new Float64Array(items.length * k);
  for (let j = 0; j < items.length; j++) {
    const i = items[j];
    labels[j] = result.labels[i];
    answers[j] = perItem[i];
    correct.push(result.labels[i] === dataset.truth[i]);
    rows.set(result.posteriors.subarray(i * k, i * k + k), j * k);
  }
  const ece = CALIBRATIONS.map((calibration) => {
    const confidence = applyCalibration({
      table: { values: Float64Array.from(rows), k },
      labels,
      answers,
      calibration,
    });
    return expectedCalibrationError({ confidence, correct });
  });
  return { accuracy: correct.filter(Boolean).length / Math.max(1, items.length), ece };
}

export function mean(scores: readonly Scores[]): Scores {
  const n = scores.length;
  return {
    accuracy: scores.reduce((s, x) => s + x.accuracy, 0) / n,
    ece: CALIBRATIONS.map((_, t) => scores.reduce((s, x) => s + x.ece[t], 0) / n),
  };
}

const answerCountCache = new WeakMap<TruthDataset, Int32Array>();

function answerCounts(dataset: TruthDataset): Int32Array {
  let counts = answerCountCache.get(dataset);
  if (counts === undefined) {
    counts = new Int32Array(dataset.encoded.matrix.numItems);
    for (const i of dataset.encoded.matrix.itemIndex) counts[i]++;
    answerCountCache.set(dataset, counts);
  }
  return counts;
}

export function run(params: { dataset: TruthDataset; settings: MethodSettings; gold?: GoldLabels }): AggregationResult {
  return runMethod({ ...params.settings, matrix: params.dataset.encoded.matrix, gold: params.gold } as MethodInput);
}

export interface GoldSplit {
  readonly gold: GoldLabels;
  /** Scored items that are not gold. */
  readonly rest: Int32Array;
}

export function goldSplits(dataset: TruthDataset): GoldSplit[] {
  return GOLD_SEEDS.map((seed) => {
    const gold = seededGold({ dataset, seed, share: GOLD_SHARE });
    return { gold, rest: dataset.scored.filter((i) => gold[i] < 0) };
  });
}

export function sparseCopies(dataset: TruthDataset): TruthDataset[] {
  return GOLD_SEEDS.map((seed) => sparseCopy({ dataset, perItem: SPARSE_ANSWERS, seed }));
}

export function scoreConfig(params: {
  dataset: TruthDataset;
  splits: readonly GoldSplit[];
  sparse: readonly TruthDataset[];
  config: Config;
}): ConfigScores {
  const { dataset, splits, config } = params;
  const plain = run({ dataset, settings: config.settings });
  return {
    sparse: mean(
      params.sparse.map((d) =>
        score({ dataset: d, result: run({ dataset: d, settings: config.settings }), items: d.scored }),
      ),
    ),
    noGold: score({ dataset, result: plain, items: dataset.scored }),
    goldNotClamped: mean(splits.map((s) => score({ dataset, result: plain, items: s.rest }))),
    goldClamped: mean(
      splits.map((s) =>
        score({ dataset, result: run({ dataset, settings: config.settings, gold: s.gold }), items: s.rest }),
      ),
    ),
  };
}

/** AUTO with the given settings on every gold split: the method it chose and the scores of that
 * method's run (gold clamped) on the non-gold items. */
export function scoreAuto(params: {
  dataset: TruthDataset;
  splits: readonly GoldSplit[];
  settings: AutoSettings;
}): { method: AggregationMethodCode; scores: Scores }[] {
  const { dataset, splits, settings } = params;
  return splits.map((s) => {
    const choice = chooseMethod({ matrix: dataset.encoded.matrix, gold: s.gold, settings });
    return {
      method: choice.method,
      scores: score({ dataset, result: run({ dataset, settings: choice.settings, gold: s.gold }), items: s.rest }),
    };
  });
}
