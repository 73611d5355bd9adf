// A tied item: its consensus posterior puts the same probability on its two likeliest classes, so
// the label it got (the lowest class index among the tied ones) says nothing about which one is
// right. Dynamic overlap never settles such an item: it buys one more answer below the ceiling and
// sends it to review (LOW_AGREEMENT) at the ceiling, with or without a targetConfidence.

/** Relative tolerance: posteriors that differ only by float rounding (EM sums, softmax) tie. */
export const TIE_TOLERANCE = 1e-9;

/** 1 for every item whose two highest posteriors are equal within TIE_TOLERANCE (relative to the
 * highest) and that has answers; 0 otherwise. Items without answers have an empty (all-zero or
 * uniform) row, not a tie between answers; gold items are clamped one-hot and never tie. One pass,
 * no allocation besides the result. */
export function tiedItems(params: { posteriors: Float64Array; numClasses: number; answers: Int32Array }): Uint8Array {
  const { posteriors, numClasses: k, answers } = params;
  const numItems = answers.length;
  if (posteriors.length !== numItems * k) throw new RangeError('posteriors must be numItems x numClasses');
  const tied = new Uint8Array(numItems);
  if (k < 2) return tied;
  for (let i = 0; i < numItems; i++) {
    if (answers[i] === 0) continue;
    let first = -Infinity,
      second = -Infinity;
    for (let c = i * k; c < i * k + k; c++) {
      const p = posteriors[c];
      if (p > first) {
        second = first;
        first = p;
      } else if (p > second) second = p;
    }
    if (first > 0 && first - second <= TIE_TOLERANCE * first) tied[i] = 1;
  }
  return tied;
}
