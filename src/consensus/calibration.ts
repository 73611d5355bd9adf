import type { RowTable } from './answer-matrix';

// Confidence that means what it says. EM posteriors treat a worker's estimated confusion matrix
// as exact and every answer as independent evidence, so they come out far too sure when answers
// pile up (a three-way split among good workers at 0.9999); a vote share is not a probability
// either. We apply temperature scaling (Guo et al., ICML 2017, "On Calibration of Modern Neural
// Networks"), p_c -> p_c^(1/T) / sum_c' p_c'^(1/T), with a temperature that grows with the
// item's answer count n:
//   T = scale * n^exponent
// exponent 0 is plain temperature scaling; exponent > 0 says that answers on one item share
// errors (a hard item fools many workers at once), so the evidence of n answers grows more slowly
// than n; exponent < 0 sharpens more as answers pile up (what a vote share needs: 7 of 10 is
// stronger evidence than 2 of 3). T > 1 softens, T < 1 sharpens; the ranking of classes, hence every label, is unchanged;
// one-hot rows (gold) stay one-hot and all-zero rows (no answers) stay zero. `scale` and
// `exponent` per method are chosen by leave-one-dataset-out (bench/accuracy.ts, docs/consensus.md).

export interface Calibration {
  readonly scale: number;
  readonly exponent: number;
}

export const NO_CALIBRATION: Calibration = { scale: 1, exponent: 0 };

/** Rescales every posterior row in place and returns the new probability of `labels[i]`. */
export function applyCalibration(params: {
  table: RowTable;
  labels: Int32Array;
  answers: Int32Array;
  calibration: Calibration;
}): Float64Array {
  const { table, labels, answers, calibration } = params;
  const { scale, exponent } = calibration;
  if (!(scale > 0) || !Number.isFinite(scale) || !Number.isFinite(exponent))
    throw new RangeError('calibration needs a finite scale > 0 and a finite exponent');
  const { values, k } = table;
  const rows = labels.length;
  if (answers.length !== rows || values.length !== rows * k)
    throw new RangeError('labels, answers and the table must have one entry / row per item');
  const confidence = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    if (labels[i] < 0) continue;
    const base = i * k;
    const inverse = 1 / (scale * Math.max(1, answers[i]) ** exponent);
    if (inverse !== 1) {
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const p = values[base + c];
        const scaled = p > 0 ? Math.exp(Math.log(p) * inverse) : 0;
        values[base + c] = scaled;
        sum += scaled;
      }
      for (let c = 0; c < k; c++) values[base + c] /= sum;
    }
    confidence[i] = values[base + labels[i]];
  }
  return confidence;
}

/** Expected calibration error over `bins` equal-width confidence bins (Naeini et al., AAAI 2015;
 * Guo et al. 2017): sum over bins of (share of items in the bin) x |accuracy - mean confidence|.
 * 0 is perfect; a method that says 0.99 and is right 90% of the time scores 0.09. */
export function expectedCalibrationError(params: {
  confidence: ArrayLike<number>;
  correct: ArrayLike<boolean>;
  bins?: number;
}): number {
  const { confidence, correct } = params;
  const bins = params.bins ?? 10;
  if (confidence.length !== correct.length) throw new RangeError('confidence and correct must have the same length');
  if (confidence.length === 0) return 0;
  const sumConfidence = new Float64Array(bins),
    sumCorrect = new Float64Array(bins);
  for (let i = 0; i < confidence.length; i++) {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(confidence[i] * bins)));
    sumConfidence[bin] += confidence[i];
    if (correct[i]) sumCorrect[bin] += 1;
  }
  let error = 0;
  for (let b = 0; b < bins; b++) error += Math.abs(sumConfidence[b] - sumCorrect[b]);
  return error / confidence.length;
}
