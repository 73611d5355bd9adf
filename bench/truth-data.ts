import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createAnswerEncoder, NO_GOLD, type EncodedAnswers, type GoldLabels } from '../src/consensus';
import { readAnswerFiles, readCsv } from '../src/cli/csv-io';
import { seededRandom } from '../test/support/seeded-random';

// The truth-inference datasets (answer.csv + truth.csv per folder) as the accuracy benchmark uses
// them: encoded answers, the true class per item, the items that are scored, and seeded gold.

/** Where the datasets live, relative to the repository root unless absolute; override with the
 * first argument or TRUTH_DATA_DIR. */
export const DEFAULT_TRUTH_DIR = '../shared/data/truth';

export interface TruthDataset {
  readonly name: string;
  readonly encoded: EncodedAnswers;
  /** True class index per item; -1 without truth, -2 for a truth label no worker ever gave. */
  readonly truth: Int32Array;
  /** Items with a truth label and at least one answer: the ones accuracy is measured on. */
  readonly scored: Int32Array;
}

export async function loadTruthDatasets(dir: string): Promise<TruthDataset[]> {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const out: TruthDataset[] = [];
  for (const name of names) {
    const encoded = await readAnswerFiles({
      encoder: createAnswerEncoder(),
      answersPath: join(dir, name, 'answer.csv'),
    });
    const classOf = new Map(encoded.classes.map((c, i) => [c, i]));
    const itemOf = new Map(encoded.itemIds.map((id, i) => [id, i]));
    const truth = new Int32Array(encoded.matrix.numItems).fill(-1);
    await readCsv({
      path: join(dir, name, 'truth.csv'),
      expectedHeader: ['item', 'label'],
      onRow: (r) => {
        const i = itemOf.get(r[0]);
        if (i !== undefined) truth[i] = classOf.get(r[1]) ?? -2;
      },
    });
    const answered = new Uint8Array(encoded.matrix.numItems);
    for (const i of encoded.matrix.itemIndex) answered[i] = 1;
    const scored = Int32Array.from({ length: truth.length }, (_, i) => i).filter(
      (i) => truth[i] !== -1 && answered[i] === 1,
    );
    out.push({ name, encoded, truth, scored });
  }
  return out;
}

/** `share` of the scored items (at least one), drawn with a seeded shuffle, as gold labels. */
export function seededGold(params: { dataset: TruthDataset; seed: number; share: number }): GoldLabels {
  const { dataset, seed, share } = params;
  const order = Array.from(dataset.scored).filter((i) => dataset.truth[i] >= 0);
  const random = seededRandom(seed);
  for (let j = order.length - 1; j > 0; j--) {
    const r = Math.floor(random() * (j + 1));
    [order[j], order[r]] = [order[r], order[j]];
  }
  const gold = new Int32Array(dataset.truth.length).fill(NO_GOLD);
  for (const i of order.slice(0, Math.max(1, Math.ceil(share * order.length)))) gold[i] = dataset.truth[i];
  return gold;
}

/** The same dataset with at most `perItem` answers per item (a seeded choice among each item's
 * answers): the regime the service works in, where items get 3-5 answers, not the 10-40 of the
 * development sets. */
export function sparseCopy(params: { dataset: TruthDataset; perItem: number; seed: number }): TruthDataset {
  const { dataset, perItem, seed } = params;
  const m = dataset.encoded.matrix;
  const random = seededRandom(seed);
  const order = Array.from({ length: m.itemIndex.length }, (_, a) => a);
  for (let j = order.length - 1; j > 0; j--) {
    const r = Math.floor(random() * (j + 1));
    [order[j], order[r]] = [order[r], order[j]];
  }
  const kept = new Int32Array(m.numItems);
  const keep = order.filter((a) => kept[m.itemIndex[a]]++ < perItem).sort((a, b) => a - b);
  const matrix = {
    ...m,
    itemIndex: Int32Array.from(keep, (a) => m.itemIndex[a]),
    workerIndex: Int32Array.from(keep, (a) => m.workerIndex[a]),
    labelIndex: Int32Array.from(keep, (a) => m.labelIndex[a]),
  };
  return {
    ...dataset,
    name: `${dataset.name} (≤ ${perItem} answers per item)`,
    encoded: { ...dataset.encoded, matrix },
  };
}
