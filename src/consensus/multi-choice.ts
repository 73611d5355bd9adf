import { aggregate, type AggregateInput } from './aggregate';
import { fleissKappaSparse, krippendorffAlphaSparse, type SparseCounts } from './agreement';
import type { MethodSelection } from './defaults';

// MULTI_CHOICE answers (a set of classes per answer) are aggregated as K independent binary
// problems, "is class c selected?", each with the chosen categorical method, so a worker gets a
// separate 2x2 confusion matrix per class (someone may over-tick one class and never another).
// In each binary problem class 0 = not selected, class 1 = selected, so the module-wide
// lowest-index tie-break leaves a class unselected on a tie (the conservative choice).

export interface MultiChoiceInput {
  numItems: number;
  numWorkers: number;
  numClasses: number;
  itemIndex: Int32Array;
  workerIndex: Int32Array;
  /** Answer a selected classes selectedClass[selectedStart[a] .. selectedStart[a+1]-1]. */
  selectedStart: Int32Array;
  selectedClass: Int32Array;
  /** Optional gold per item and class, row-major numItems x numClasses: 1 selected,
   * 0 not selected, -1 no gold for that item. */
  gold?: Int8Array;
  method: MethodSelection;
}

export interface MultiChoiceResult {
  /** Row-major numItems x numClasses, 1 where the class is chosen. */
  readonly selected: Uint8Array;
  /** Probability of the decision (selected or not) per item and class. */
  readonly classConfidence: Float64Array;
  /** Probability of the whole chosen set = product of the per-class decision probabilities
   * (the classes are modelled as independent); 0 for items without answers or gold. */
  readonly confidence: Float64Array;
  /** Mean over the K binary problems of each worker's estimated accuracy. */
  readonly workerAccuracy: Float64Array;
}

export function aggregateMultiChoice(input: MultiChoiceInput): MultiChoiceResult {
  const { numItems, numWorkers, numClasses: k, itemIndex, workerIndex, selectedStart, selectedClass } = input;
  const n = itemIndex.length;
  if (selectedStart.length !== n + 1) throw new RangeError('selectedStart must have answers + 1 entries');
  if (input.gold !== undefined && input.gold.length !== numItems * k)
    throw new RangeError('gold must be numItems x numClasses');
  for (let p = 0; p < selectedClass.length; p++) {
    if (selectedClass[p] < 0 || selectedClass[p] >= k) throw new RangeError(`selected class at ${p} is out of range`);
  }

  const selected = new Uint8Array(numItems * k);
  const classConfidence = new Float64Array(numItems * k);
  const confidence = new Float64Array(numItems).fill(1);
  const workerAccuracy = new Float64Array(numWorkers);
  const labelIndex = new Int32Array(n); // reused for every class: one buffer, not K
  const binaryGold = new Int32Array(numItems);
  const labelled = new Uint8Array(numItems);

  for (let c = 0; c < k; c++) {
    labelIndex.fill(0);
    for (let a = 0; a < n; a++) {
      for (let p = selectedStart[a]; p < selectedStart[a + 1]; p++) if (selectedClass[p] === c) labelIndex[a] = 1;
    }
    for (let i = 0; i < numItems; i++) binaryGold[i] = input.gold === undefined ? -1 : input.gold[i * k + c];
    const result = aggregate({
      method: input.method,
      matrix: { numItems, numWorkers, numClasses: 2, itemIndex, workerIndex, labelIndex },
      gold: binaryGold,
    } as AggregateInput);
    for (let i = 0; i < numItems; i++) {
      if (result.labels[i] < 0) continue;
      labelled[i] = 1;
      selected[i * k + c] = result.labels[i];
      classConfidence[i * k + c] = result.confidence[i];
      confidence[i] *= result.confidence[i];
    }
    for (let w = 0; w < numWorkers; w++) workerAccuracy[w] += result.workerAccuracy[w] / k;
  }
  for (let i = 0; i < numItems; i++) if (labelled[i] === 0) confidence[i] = 0;
  return { selected, classConfidence, confidence, workerAccuracy };
}

/** Agreement on multi-choice answers, as the chance-corrected agreement of the per-class binary
 * decisions: every (item, class) pair is a unit whose answers are "selected" / "not selected".
 * Returns Fleiss' kappa and nominal Krippendorff's alpha over those units (null when undefined). */
export function multiChoiceAgreement(
  input: Pick<MultiChoiceInput, 'numItems' | 'numClasses' | 'itemIndex' | 'selectedStart' | 'selectedClass'>,
): { fleissKappa: number | null; krippendorffAlpha: number | null } {
  const { numItems, numClasses: k, itemIndex, selectedStart, selectedClass } = input;
  const answers = new Float64Array(numItems);
  const selected = new Float64Array(numItems * k);
  for (let a = 0; a < itemIndex.length; a++) {
    answers[itemIndex[a]]++;
    for (let p = selectedStart[a]; p < selectedStart[a + 1]; p++) selected[itemIndex[a] * k + selectedClass[p]]++;
  }
  // Unit (i, c) has cells "not selected" (category 0) and "selected" (category 1).
  const units = numItems * k;
  const start = new Int32Array(units + 1);
  const category = new Int32Array(units * 2);
  const count = new Float64Array(units * 2);
  for (let u = 0; u < units; u++) {
    start[u] = 2 * u;
    category[2 * u + 1] = 1;
    count[2 * u] = answers[Math.floor(u / k)] - selected[u];
    count[2 * u + 1] = selected[u];
  }
  start[units] = 2 * units;
  const table: SparseCounts = { start, category, count, numCategories: 2 };
  return { fleissKappa: fleissKappaSparse(table), krippendorffAlpha: krippendorffAlphaSparse(table) };
}
