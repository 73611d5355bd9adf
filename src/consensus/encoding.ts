import { NO_GOLD, NO_LABEL, type AggregationResult, type AnswerMatrix, type GoldLabels } from './types';

// String ids (item external ids, worker ids, class names) <-> the dense indices the algorithms
// use. Items and workers are numbered in order of first appearance; classes are either given
// (their order is kept, so "lowest class index" follows the schema) or discovered and sorted
// (numerically when every class is an integer literal, else by UTF-16 code units: locale-free,
// hence identical on every machine). Both make tie-breaks reproducible.

export interface EncodedAnswers {
  readonly matrix: AnswerMatrix;
  readonly gold: GoldLabels;
  readonly itemIds: readonly string[];
  readonly workerIds: readonly string[];
  readonly classes: readonly string[];
}

export interface AnswerEncoder {
  /** Adds one answer; duplicates of (item, worker) are kept as separate answers. */
  add(item: string, worker: string, label: string): void;
  /** Records a gold label; an item only known from gold is still part of the output. */
  addGold(item: string, label: string): void;
  build(): EncodedAnswers;
}

export function createAnswerEncoder(options: { classes?: readonly string[] } = {}): AnswerEncoder {
  const itemIds: string[] = [];
  const workerIds: string[] = [];
  const items = new Map<string, number>();
  const workers = new Map<string, number>();
  const fixed = options.classes !== undefined;
  const classIds: string[] = fixed ? [...options.classes!] : [];
  const classes = new Map<string, number>(classIds.map((c, i) => [c, i]));
  if (classes.size !== classIds.length) throw new RangeError('classes must be distinct');
  const goldByItem = new Map<number, number>();
  let itemCol = new Int32Array(1024);
  let workerCol = new Int32Array(1024);
  let labelCol = new Int32Array(1024);
  let size = 0;

  const intern = (map: Map<string, number>, ids: string[], id: string): number => {
    let index = map.get(id);
    if (index === undefined) {
      index = ids.length;
      map.set(id, index);
      ids.push(id);
    }
    return index;
  };
  const classIndex = (label: string): number => {
    const known = classes.get(label);
    if (known !== undefined) return known;
    if (fixed) throw new RangeError(`label "${label}" is not one of the classes`);
    return intern(classes, classIds, label);
  };
  const grow = (col: Int32Array): Int32Array<ArrayBuffer> => {
    const next = new Int32Array(col.length * 2);
    next.set(col);
    return next;
  };

  return {
    add(item, worker, label) {
      if (size === itemCol.length) {
        itemCol = grow(itemCol);
        workerCol = grow(workerCol);
        labelCol = grow(labelCol);
      }
      itemCol[size] = intern(items, itemIds, item);
      workerCol[size] = intern(workers, workerIds, worker);
      labelCol[size] = classIndex(label);
      size++;
    },
    addGold(item, label) {
      const i = intern(items, itemIds, item);
      const c = classIndex(label);
      const previous = goldByItem.get(i);
      if (previous !== undefined && previous !== c)
        throw new RangeError(`item "${item}" has two different gold labels`);
      goldByItem.set(i, c);
    },
    build() {
      // Discovered classes are sorted, then every stored label index is remapped to its rank.
      const order = fixed ? classIds.map((_, i) => i) : sortedClassOrder(classIds);
      const rank = new Int32Array(order.length);
      order.forEach((original, r) => {
        rank[original] = r;
      });
      const labelIndex = labelCol.slice(0, size);
      for (let a = 0; a < size; a++) labelIndex[a] = rank[labelIndex[a]];
      const gold = new Int32Array(itemIds.length).fill(NO_GOLD);
      for (const [i, c] of goldByItem) gold[i] = rank[c];
      return {
        matrix: {
          numItems: itemIds.length,
          numWorkers: workerIds.length,
          numClasses: Math.max(1, order.length),
          itemIndex: itemCol.slice(0, size),
          workerIndex: workerCol.slice(0, size),
          labelIndex,
        },
        gold,
        itemIds: [...itemIds],
        workerIds: [...workerIds],
        classes: order.map((i) => classIds[i]),
      };
    },
  };
}

/** Column-oriented convenience wrapper around the encoder. */
export function encodeAnswers(input: {
  items: readonly string[];
  workers: readonly string[];
  labels: readonly string[];
  classes?: readonly string[];
  gold?: ReadonlyMap<string, string>;
}): EncodedAnswers {
  const { items, workers, labels } = input;
  if (workers.length !== items.length || labels.length !== items.length) {
    throw new RangeError('items, workers and labels must have the same length');
  }
  const encoder = createAnswerEncoder({ classes: input.classes });
  for (let a = 0; a < items.length; a++) encoder.add(items[a], workers[a], labels[a]);
  for (const [item, label] of input.gold ?? []) encoder.addGold(item, label);
  return encoder.build();
}

export interface DecodedLabel {
  item: string;
  /** Class name, or null when the item had neither answers nor gold. */
  label: string | null;
  confidence: number;
}

export function decodeLabels(encoded: EncodedAnswers, result: AggregationResult): DecodedLabel[] {
  return encoded.itemIds.map((item, i) => ({
    item,
    label: result.labels[i] === NO_LABEL ? null : encoded.classes[result.labels[i]],
    confidence: result.confidence[i],
  }));
}

const INTEGER = /^-?[0-9]+$/;

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Original indices of `ids` in sorted order: numeric when all are integer literals (BigInt, so
 * long ids compare exactly; equal values such as "1" and "01" fall back to code units), else by
 * code units. A total order, so the result never depends on the order classes were seen. */
export function sortedClassOrder(ids: readonly string[]): number[] {
  const order = ids.map((_, i) => i);
  if (ids.length > 0 && ids.every((id) => INTEGER.test(id))) {
    const values = ids.map((id) => BigInt(id));
    return order.sort((a, b) => (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : byCodeUnits(ids[a], ids[b])));
  }
  return order.sort((a, b) => byCodeUnits(ids[a], ids[b]));
}
