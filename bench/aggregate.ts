import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { dawidSkene, type AnswerMatrix } from '../src/consensus';
import { seededRandom } from '../test/support/seeded-random';
import { median } from './report';

// Dawid-Skene speed and memory: 100 EM iterations forced (tol 0) on synthetic K = 4 crowds of
// 100k, 1M and 10M answers. Baseline in the same run: a straightforward object-based JS
// implementation (answer objects, nested arrays) on the 100k set. The 1M/10M runs happen in
// child processes so each peak RSS belongs to that size alone.
// Run: npm run bench:aggregate

const K = 4;
const ITERATIONS = 100;
const ANSWERS_PER_ITEM = 10;

/** Synthetic crowd: 70% good workers (accuracy 0.7-0.95), 20% careless (0.35-0.6), 10% uniform
 * spammers; each item gets ANSWERS_PER_ITEM answers from random workers. */
function synthetic(numAnswers: number): { matrix: AnswerMatrix; truth: Int32Array } {
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
  const itemIndex = new Int32Array(numAnswers), workerIndex = new Int32Array(numAnswers), labelIndex = new Int32Array(numAnswers);
  for (let a = 0; a < numAnswers; a++) {
    const i = Math.floor(a / ANSWERS_PER_ITEM), w = Math.floor(random() * numWorkers);
    itemIndex[a] = i;
    workerIndex[a] = w;
    labelIndex[a] = random() < accuracy[w] ? truth[i] : (truth[i] + 1 + Math.floor(random() * (K - 1))) % K;
  }
  return { matrix: { numItems, numWorkers, numClasses: K, itemIndex, workerIndex, labelIndex }, truth };
}

/** The object-based baseline: what a first, readable implementation looks like. */
function objectDawidSkene(answers: { item: number; worker: number; label: number }[], numItems: number, numWorkers: number): number[][] {
  const byItem: { worker: number; label: number }[][] = Array.from({ length: numItems }, () => []);
  for (const a of answers) byItem[a.item].push({ worker: a.worker, label: a.label });
  let T: number[][] = byItem.map((list) => {
    const row = new Array<number>(K).fill(0);
    for (const a of list) row[a.label] += 1 / list.length;
    return row;
  });
  for (let it = 0; it < ITERATIONS; it++) {
    const prior = new Array<number>(K).fill(0.01);
    const conf: number[][][] = Array.from({ length: numWorkers }, () => Array.from({ length: K }, () => new Array<number>(K).fill(0.01)));
    T.forEach((row, i) => {
      row.forEach((p, k) => { prior[k] += p; });
      for (const a of byItem[i]) for (let k = 0; k < K; k++) conf[a.worker][k][a.label] += row[k];
    });
    const total = prior.reduce((s, x) => s + x, 0);
    const logPrior = prior.map((p) => Math.log(p / total));
    const logConf = conf.map((m) => m.map((row) => { const s = row.reduce((x, y) => x + y, 0); return row.map((c) => Math.log(c / s)); }));
    T = byItem.map((list) => {
      const s = logPrior.slice();
      for (const a of list) for (let k = 0; k < K; k++) s[k] += logConf[a.worker][k][a.label];
      const max = Math.max(...s);
      const e = s.map((x) => Math.exp(x - max));
      const z = e.reduce((x, y) => x + y, 0);
      return e.map((x) => x / z);
    });
  }
  return T;
}


function timeDs(matrix: AnswerMatrix): { seconds: number; labels: Int32Array } {
  const start = performance.now();
  const result = dawidSkene({ matrix, tol: 0, maxIterations: ITERATIONS });
  const seconds = (performance.now() - start) / 1000;
  if (result.iterations !== ITERATIONS) throw new Error('iteration count not forced');
  return { seconds, labels: result.labels };
}

function accuracyOf(labels: Int32Array | number[], truth: Int32Array): number {
  let c = 0;
  for (let i = 0; i < truth.length; i++) if (labels[i] === truth[i]) c++;
  return c / truth.length;
}

interface ChildResult { impl: string; numAnswers: number; seconds: number; rssData: number; peakRss: number; accuracy: number }

/** Child mode: one implementation, one size, one run, JSON on stdout. */
function child(impl: string, numAnswers: number): void {
  const { matrix, truth } = synthetic(numAnswers);
  let labels: Int32Array | number[];
  let rssData: number, seconds: number;
  if (impl === 'objects') {
    const objects = Array.from(matrix.itemIndex, (item, a) => ({ item, worker: matrix.workerIndex[a], label: matrix.labelIndex[a] }));
    rssData = process.memoryUsage().rss;
    const start = performance.now();
    labels = objectDawidSkene(objects, matrix.numItems, matrix.numWorkers).map((row) => row.indexOf(Math.max(...row)));
    seconds = (performance.now() - start) / 1000;
  } else {
    rssData = process.memoryUsage().rss;
    ({ seconds, labels } = timeDs(matrix));
  }
  const peakRss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ impl, numAnswers, seconds, rssData, peakRss, accuracy: accuracyOf(labels, truth) }));
}

function runChild(impl: string, numAnswers: number): ChildResult {
  const out = execFileSync(process.execPath, ['-r', '@swc-node/register', __filename, '--child', impl, String(numAnswers)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult;
}

function main(): void {
  const { matrix, truth } = synthetic(100_000);
  const objects = Array.from(matrix.itemIndex, (item, a) => ({ item, worker: matrix.workerIndex[a], label: matrix.labelIndex[a] }));
  timeDs(matrix); // warm-up (JIT) for both, then measure
  objectDawidSkene(objects, matrix.numItems, matrix.numWorkers);
  const ours: number[] = [], base: number[] = [];
  let oursAcc = 0, baseAcc = 0;
  for (let r = 0; r < 5; r++) {
    const o = timeDs(matrix);
    ours.push(o.seconds);
    oursAcc = accuracyOf(o.labels, truth);
    const start = performance.now();
    const T = objectDawidSkene(objects, matrix.numItems, matrix.numWorkers);
    base.push((performance.now() - start) / 1000);
    baseAcc = accuracyOf(T.map((row) => row.indexOf(Math.max(...row))), truth);
  }
  const load100k = loadavg()[0];
  const large = [runChild('objects', 1_000_000), runChild('ds', 1_000_000), runChild('ds', 10_000_000)];
  const mb = (b: number) => (b / 2 ** 20).toFixed(0);
  console.log(`synthetic K=${K}, ${ANSWERS_PER_ITEM} answers/item, DS forced to ${ITERATIONS} iterations; median of 5 interleaved runs at 100k`);
  console.log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}; 1-min load average ${load100k.toFixed(2)} during the 100k runs, ${loadavg()[0].toFixed(2)} at the end`);
  console.log('| implementation | answers | items | workers | time (s) | vs baseline | peak RSS (MB) | accuracy vs synthetic truth |');
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
  console.log(`| object-based JS baseline | 100,000 | ${matrix.numItems} | ${matrix.numWorkers} | ${median(base).toFixed(3)} (runs ${base.map((x) => x.toFixed(2)).join(', ')}) | 1.0× | – | ${baseAcc.toFixed(4)} |`);
  console.log(`| typed-array DS (src/consensus) | 100,000 | ${matrix.numItems} | ${matrix.numWorkers} | ${median(ours).toFixed(3)} (runs ${ours.map((x) => x.toFixed(3)).join(', ')}) | ${(median(base) / median(ours)).toFixed(1)}× faster | ${mb(process.resourceUsage().maxRSS * 1024)} (whole bench process) | ${oursAcc.toFixed(4)} |`);
  for (const r of large) {
    const name = r.impl === 'objects' ? 'object-based JS baseline' : 'typed-array DS (src/consensus)';
    console.log(`| ${name}, own process | ${r.numAnswers.toLocaleString('en-US')} | ${r.numAnswers / ANSWERS_PER_ITEM} | ${Math.max(100, Math.round(r.numAnswers / 500))} | ${r.seconds.toFixed(2)} | – | ${mb(r.peakRss)} (input built: ${mb(r.rssData)}) | ${r.accuracy.toFixed(4)} |`);
  }
}

if (process.argv[2] === '--child') child(process.argv[3], Number(process.argv[4]));
else main();
