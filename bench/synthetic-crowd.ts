import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { AnswerMatrix } from '../src/consensus';
import { seededRandom } from '../test/support/seeded-random';

// The synthetic crowd the aggregate benchmark runs on: K = 4, 10 answers per item from random
// workers; 70% good workers (accuracy 0.7-0.95), 20% careless (0.35-0.6), 10% uniform spammers.

export const K = 4;
export const ANSWERS_PER_ITEM = 10;

export function syntheticCrowd(numAnswers: number): { matrix: AnswerMatrix; truth: Int32Array } {
  const random = seededRandom(numAnswers);
  const numItems = Math.ceil(numAnswers / ANSWERS_PER_ITEM);
  const numWorkers = Math.max(100, Math.round(numAnswers / 500));
  const accuracy = new Float64Array(numWorkers);
  for (let w = 0; w < numWorkers; w++) {
    const r = random();
    accuracy[w] = r < 0.7 ? 0.7 + 0.25 * random() : r < 0.9 ? 0.35 + 0.25 * random() : 1 / K;
  }
  const truth = new Int32Array(numItems);
  for (let i = 0; i < numItems; i++) truth[i] = Math.floor(random() * K);
  const itemIndex = new Int32Array(numAnswers),
    workerIndex = new Int32Array(numAnswers),
    labelIndex = new Int32Array(numAnswers);
  for (let a = 0; a < numAnswers; a++) {
    const i = Math.floor(a / ANSWERS_PER_ITEM),
      w = Math.floor(random() * numWorkers);
    itemIndex[a] = i;
    workerIndex[a] = w;
    labelIndex[a] = random() < accuracy[w] ? truth[i] : (truth[i] + 1 + Math.floor(random() * (K - 1))) % K;
  }
  return { matrix: { numItems, numWorkers, numClasses: K, itemIndex, workerIndex, labelIndex }, truth };
}

/** Writes the crowd as `item,worker,label` CSV (ids item-N, worker-N, class-N). */
export async function writeCrowdCsv(params: { matrix: AnswerMatrix; path: string }): Promise<void> {
  const { matrix, path } = params;
  const out = createWriteStream(path);
  let chunk = 'item,worker,label\n';
  for (let a = 0; a < matrix.itemIndex.length; a++) {
    chunk += `item-${matrix.itemIndex[a]},worker-${matrix.workerIndex[a]},class-${matrix.labelIndex[a]}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
