import { fleissKappaSparse, krippendorffAlphaInterval, krippendorffAlphaSparse, sparseCounts } from './agreement';
import { IN_PROCESS_ENGINE } from './aggregation-engine';
import { METHOD_NAME_BY_CODE, type CollectedResults, type LabelCollector } from './collected-results';
import { FloatColumn, IntColumn, Interner } from './columns';
import { aggregateFreeText, normaliseText } from './free-text';
import { smoothedGoldAccuracy } from './gold-accuracy';
import { multiChoiceAgreement, type MultiChoiceInput } from './multi-choice';
import { aggregateRatings } from './rating';

// Collectors for the non-single-choice kinds; each stores answers column-wise and hands them to
// its pure aggregator. Agreement per kind: multi-choice over the per-class yes/no decisions,
// free text over the normalised texts (nominal), ratings with Fleiss' kappa over the distinct
// values (nominal) and Krippendorff's alpha with the interval metric.

interface Base {
  items: Interner;
  workers: Interner;
  itemIndex: IntColumn;
  workerIndex: IntColumn;
}

function base(): Base {
  return { items: new Interner(), workers: new Interner(), itemIndex: new IntColumn(), workerIndex: new IntColumn() };
}

function record(b: Base, item: string, worker: string): void {
  b.itemIndex.push(b.items.index(item));
  b.workerIndex.push(b.workers.index(worker));
}

function answerCounts(numItems: number, itemIndex: Int32Array): Int32Array {
  const answers = new Int32Array(numItems);
  for (let a = 0; a < itemIndex.length; a++) answers[itemIndex[a]]++;
  return answers;
}

/** MULTI_CHOICE: a label is an array of distinct classes; each class is a binary problem. */
export function createMultiChoiceCollector(schemaClasses: readonly string[] | undefined): LabelCollector {
  const b = base();
  const classes = new Interner();
  const fixed = schemaClasses !== undefined && schemaClasses.length > 0;
  for (const c of schemaClasses ?? []) classes.index(c);
  const selectedStart = new IntColumn();
  const selectedClass = new IntColumn();
  selectedStart.push(0);
  const gold = new Map<number, number[]>();
  const parse = (value: unknown): number[] | null => {
    if (!Array.isArray(value) || value.some((c) => typeof c !== 'string' || (fixed && !schemaClasses!.includes(c))))
      return null;
    const indices = value.map((c: string) => classes.index(c));
    return new Set(indices).size === indices.length ? indices : null;
  };
  return {
    add(item, worker, value) {
      const selected = parse(value);
      if (selected === null) return false;
      record(b, item, worker);
      for (const c of selected) selectedClass.push(c);
      selectedStart.push(selectedClass.length);
      return true;
    },
    addGold(item, value) {
      const selected = parse(value);
      if (selected === null) return false;
      gold.set(b.items.index(item), selected);
      return true;
    },
    async finish(options) {
      const numItems = b.items.size;
      const k = Math.max(1, classes.size);
      const goldRows = new Int8Array(numItems * k).fill(-1);
      for (const [i, selected] of gold) {
        goldRows.fill(0, i * k, i * k + k);
        for (const c of selected) goldRows[i * k + c] = 1;
      }
      const itemIndex = b.itemIndex.toArray();
      const workerIndex = b.workerIndex.toArray();
      const input: MultiChoiceInput = {
        numItems,
        numWorkers: b.workers.size,
        numClasses: k,
        itemIndex,
        workerIndex,
        selectedStart: selectedStart.toArray(),
        selectedClass: selectedClass.toArray(),
        gold: goldRows,
        method: options.method,
      };
      const agreement = multiChoiceAgreement(input);
      const result = await (options.engine ?? IN_PROCESS_ENGINE).multiChoice(input);
      const answers = answerCounts(numItems, itemIndex);
      const labels = b.items.ids.map((_, i) => {
        if (answers[i] === 0 && !gold.has(i)) return null;
        return classes.ids.filter((_c, c) => result.selected[i * k + c] === 1);
      });
      return finishWith({
        b,
        method: METHOD_NAME_BY_CODE[options.method],
        labels,
        confidence: result.confidence,
        answers,
        workerAccuracy: result.workerAccuracy,
        itemIndex,
        workerIndex,
        ...agreement,
      });
    },
  };
}

/** RATING: numbers within the schema's [min, max]; the label is the median. */
export function createRatingCollector(scale: { min?: number; max?: number }): LabelCollector {
  const b = base();
  const values = new FloatColumn();
  const gold = new Map<number, number>();
  const fits = (value: unknown): value is number =>
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (scale.min === undefined || value >= scale.min) &&
    (scale.max === undefined || value <= scale.max);
  return {
    add(item, worker, value) {
      if (!fits(value)) return false;
      record(b, item, worker);
      values.push(value);
      return true;
    },
    addGold(item, value) {
      if (!fits(value)) return false;
      gold.set(b.items.index(item), value);
      return true;
    },
    async finish() {
      const numItems = b.items.size;
      const goldValues = new Float64Array(numItems).fill(NaN);
      for (const [i, v] of gold) goldValues[i] = v;
      const itemIndex = b.itemIndex.toArray();
      const answerValues = values.toArray();
      const result = aggregateRatings({
        numItems,
        itemIndex,
        values: answerValues,
        min: scale.min,
        max: scale.max,
        gold: goldValues,
      });
      const labels = Array.from(result.median, (m) => (Number.isNaN(m) ? null : m));
      const distinct = new Interner();
      const categoryIndex = Int32Array.from(answerValues, (v) => distinct.index(String(v)));
      return finishWith({
        b,
        method: 'MEDIAN',
        labels,
        confidence: result.medianConfidence,
        answers: answerCounts(numItems, itemIndex),
        workerAccuracy: null,
        itemIndex,
        workerIndex: b.workerIndex.toArray(),
        fleissKappa: fleissKappaSparse(
          sparseCounts({ numItems, numCategories: distinct.size, itemIndex, categoryIndex }),
        ),
        krippendorffAlpha: krippendorffAlphaInterval({ numItems, itemIndex, values: answerValues }),
      });
    },
  };
}

/** FREE_TEXT: majority over normalised text; a worker's accuracy is their smoothed agreement
 * with the winning text (there is no confusion model for open text). */
export function createFreeTextCollector(): LabelCollector {
  const b = base();
  const texts: string[] = [];
  const gold = new Map<number, string>();
  return {
    add(item, worker, value) {
      if (typeof value !== 'string') return false;
      record(b, item, worker);
      texts.push(value);
      return true;
    },
    addGold(item, value) {
      if (typeof value !== 'string') return false;
      gold.set(b.items.index(item), value);
      return true;
    },
    async finish() {
      const numItems = b.items.size;
      const itemIndex = b.itemIndex.toArray();
      const workerIndex = b.workerIndex.toArray();
      const result = aggregateFreeText({ numItems, itemIndex, texts, gold });
      const agree = new Float64Array(b.workers.size);
      const seen = new Float64Array(b.workers.size);
      const distinct = new Interner();
      const categoryIndex = new Int32Array(texts.length);
      for (let a = 0; a < texts.length; a++) {
        const text = normaliseText(texts[a]);
        categoryIndex[a] = distinct.index(text);
        seen[workerIndex[a]]++;
        if (text === result.labels[itemIndex[a]]) agree[workerIndex[a]]++;
      }
      const workerAccuracy = Float64Array.from(agree, (correct, w) => smoothedGoldAccuracy({ correct, seen: seen[w] }));
      const table = sparseCounts({ numItems, numCategories: distinct.size, itemIndex, categoryIndex });
      return finishWith({
        b,
        method: METHOD_NAME_BY_CODE.mv,
        labels: result.labels,
        confidence: result.confidence,
        answers: answerCounts(numItems, itemIndex),
        workerAccuracy,
        itemIndex,
        workerIndex,
        fleissKappa: fleissKappaSparse(table),
        krippendorffAlpha: krippendorffAlphaSparse(table),
      });
    },
  };
}

// No kind collected here reports ties (see CollectedResults.tied).
function finishWith(params: Omit<CollectedResults, 'itemIds' | 'workerIds' | 'tied'> & { b: Base }): CollectedResults {
  const { b, ...rest } = params;
  return { ...rest, itemIds: b.items.ids, workerIds: b.workers.ids, tied: new Uint8Array(b.items.size) };
}
