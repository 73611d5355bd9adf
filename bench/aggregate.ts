import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { dawidSkene, type AnswerMatrix } from '../src/consensus';
import { median, writeBenchmarkSection } from './report';
import { ANSWERS_PER_ITEM, K, syntheticCrowd, writeCrowdCsv } from './synthetic-crowd';
import { DEFAULT_TRUTH_DIR } from './truth-data';
import { hasNumpy, labelsOf, runProcess, type ProcessRun } from './whole-process';

// Dawid-Skene speed and memory, two ways.
// 1. Whole process, side by side with numpy (the goal of issue #15): `labelchain aggregate
//    --method ds` (compiled CLI, also through `npm run cli`) against bench/numpy_ds.py doing the
//    same job (read CSV, textbook DS, write CSV) on the largest development dataset and on
//    synthetic crowds of 100k and 1M answers; interleaved rounds, medians, and a check that both
//    chose the same labels. The numpy side is skipped, with a message, when numpy is missing.
// 2. In process: 100 EM iterations forced (tol 0) on the synthetic crowd against a
//    straightforward object-based JS implementation of the same maths, and 1M / 10M answers in
//    child processes for peak RSS (target: 10M within 2 GB).
// Run: npm run bench:aggregate [-- --write]   (--write updates docs/benchmarks.md)

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'bench', '.out');
const ITERATIONS = 100;
const ROUNDS = 5;

function truthDir(): string {
  const dir = process.env.TRUTH_DATA_DIR ?? DEFAULT_TRUTH_DIR;
  return isAbsolute(dir) ? dir : resolve(ROOT, dir);
}

/** The development dataset with the most answers, if the datasets are there. */
function largestDevSet(): { name: string; path: string } | null {
  const dir = truthDir();
  if (!existsSync(dir)) return null;
  const sets = readdirSync(dir)
    .map((name) => ({ name, path: join(dir, name, 'answer.csv') }))
    .filter((s) => existsSync(s.path));
  return sets.sort((a, b) => statSync(b.path).size - statSync(a.path).size)[0] ?? null;
}

interface SideBySide {
  name: string;
  answers: number;
  ours: ProcessRun[];
  npm: ProcessRun[];
  numpy: ProcessRun[] | null;
  sameLabels: string;
}

function sideBySide(params: {
  name: string;
  path: string;
  answers: number;
  rounds: number;
  numpy: boolean;
}): SideBySide {
  const { name, path, rounds } = params;
  const oursOut = join(OUT, 'ours.csv'),
    npmOut = join(OUT, 'npm.csv'),
    numpyOut = join(OUT, 'numpy.csv');
  const ours: ProcessRun[] = [],
    npm: ProcessRun[] = [],
    numpy: ProcessRun[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(
      runProcess({
        command: process.execPath,
        args: ['dist/src/cli/main.js', 'aggregate', '--answers', path, '--method', 'ds', '--out', oursOut],
        cwd: ROOT,
      }),
    );
    if (params.numpy)
      numpy.push(
        runProcess({ command: 'python3', args: ['bench/numpy_ds.py', path], stdoutFile: numpyOut, cwd: ROOT }),
      );
    npm.push(
      runProcess({
        command: 'npm',
        args: ['run', '--silent', 'cli', '--', 'aggregate', '--answers', path, '--method', 'ds', '--out', npmOut],
        cwd: ROOT,
      }),
    );
  }
  let sameLabels = 'numpy skipped';
  if (params.numpy) {
    const a = labelsOf(oursOut),
      b = labelsOf(numpyOut);
    const differ = [...a].filter(([item, label]) => b.get(item) !== label).length;
    sameLabels = a.size === b.size && differ === 0 ? `yes (${a.size} items)` : `NO: ${differ} of ${a.size} differ`;
  }
  return { name, answers: params.answers, ours, npm, numpy: params.numpy ? numpy : null, sameLabels };
}

/** The object-based baseline: what a first, readable implementation looks like (same maths as
 * the textbook DS: soft-majority start, ML M-step with a 1e-10 floor). */
function objectDawidSkene(
  answers: { item: number; worker: number; label: number }[],
  numItems: number,
  numWorkers: number,
): number[][] {
  const byItem: { worker: number; label: number }[][] = Array.from({ length: numItems }, () => []);
  for (const a of answers) byItem[a.item].push({ worker: a.worker, label: a.label });
  let T: number[][] = byItem.map((list) => {
    const row = new Array<number>(K).fill(0);
    for (const a of list) row[a.label] += 1 / list.length;
    return row;
  });
  for (let it = 0; it < ITERATIONS; it++) {
    const prior = new Array<number>(K).fill(0);
    const conf: number[][][] = Array.from({ length: numWorkers }, () =>
      Array.from({ length: K }, () => new Array<number>(K).fill(0)),
    );
    T.forEach((row, i) => {
      row.forEach((p, k) => {
        prior[k] += p;
      });
      for (const a of byItem[i]) for (let k = 0; k < K; k++) conf[a.worker][k][a.label] += row[k];
    });
    const total = prior.reduce((s, x) => s + x, 0);
    const logPrior = prior.map((p) => Math.log(Math.max(p / total, 1e-10)));
    const logConf = conf.map((m) =>
      m.map((row) => {
        const s = row.reduce((x, y) => x + y, 0);
        return row.map((c) => (s > 0 ? Math.log(Math.max(c / s, 1e-10)) : -Math.log(K)));
      }),
    );
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

interface ChildResult {
  impl: string;
  numAnswers: number;
  seconds: number;
  rssData: number;
  peakRss: number;
  accuracy: number;
}

/** Child mode: one implementation, one size, one run, JSON on stdout. */
function child(impl: string, numAnswers: number): void {
  const { matrix, truth } = syntheticCrowd(numAnswers);
  let labels: Int32Array | number[];
  let rssData: number, seconds: number;
  if (impl === 'objects') {
    const objects = Array.from(matrix.itemIndex, (item, a) => ({
      item,
      worker: matrix.workerIndex[a],
      label: matrix.labelIndex[a],
    }));
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
  const out = execFileSync(
    process.execPath,
    ['-r', '@swc-node/register', __filename, '--child', impl, String(numAnswers)],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult;
}

const s3 = (x: number) => x.toFixed(3);
const mb = (b: number) => (b / 2 ** 20).toFixed(0);
const secondsOf = (runs: ProcessRun[]) => runs.map((r) => r.seconds);
const rssOf = (runs: ProcessRun[]) =>
  runs[0]?.peakRssMb === null || runs.length === 0 ? '–' : Math.max(...runs.map((r) => r.peakRssMb ?? 0)).toFixed(0);

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: 'inherit' });
  const numpy = hasNumpy();
  const lines: string[] = [];
  const log = (line = '') => {
    console.log(line);
    lines.push(line);
  };
  log(
    `Run: ${new Date().toISOString().slice(0, 10)}, Linux, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}; 1-minute load average ${loadavg()[0].toFixed(1)} at the start. \`npm run bench:aggregate -- --write\` (bench/aggregate.ts).`,
  );
  if (!numpy)
    log(
      '\n**numpy is not installed: the numpy side is skipped** (`pip install numpy` or `apt-get install python3-numpy` to compare).',
    );

  const inputs: { name: string; path: string; answers: number; rounds: number }[] = [];
  const dev = largestDevSet();
  if (dev)
    inputs.push({
      name: `${dev.name} (largest development set)`,
      path: dev.path,
      answers: Number(execFileSync('wc', ['-l', dev.path], { encoding: 'utf8' }).trim().split(' ')[0]) - 1,
      rounds: ROUNDS,
    });
  for (const n of [100_000, 1_000_000]) {
    const path = join(OUT, `synthetic-${n}.csv`);
    if (!existsSync(path)) await writeCrowdCsv({ matrix: syntheticCrowd(n).matrix, path });
    inputs.push({ name: `synthetic K = ${K}`, path, answers: n, rounds: n >= 1_000_000 ? 3 : ROUNDS });
  }
  const results = inputs.map((input) => sideBySide({ ...input, numpy }));

  log('\n### Whole process: `labelchain aggregate --method ds` vs a numpy Dawid-Skene, same job\n');
  log(
    'Both read the CSV, run textbook Dawid-Skene (soft-majority start, ML M-step with a 1e-10 floor, stop at a largest posterior change < 1e-8 or 50 iterations) and write `item,label,confidence`. ' +
      `Wall time from spawn to exit, median of interleaved rounds (${ROUNDS}; 3 at 1M); peak RSS of the process. \`npm run cli\` adds npm's own start-up to the same compiled CLI.\n`,
  );
  log(
    '| input | answers | labelchain (s) | npm run cli (s) | numpy (s) | labelchain / numpy | peak RSS labelchain / numpy (MB) | same labels |',
  );
  log('|---|--:|--:|--:|--:|--:|--:|---|');
  for (const r of results) {
    const ours = median(secondsOf(r.ours)),
      npm = median(secondsOf(r.npm));
    const np = r.numpy ? median(secondsOf(r.numpy)) : null;
    log(
      `| ${r.name} | ${r.answers.toLocaleString('en-US')} | ${s3(ours)} (${secondsOf(r.ours)
        .map((x) => x.toFixed(2))
        .join(', ')}) | ${s3(npm)} | ${
        np === null
          ? 'skipped'
          : `${s3(np)} (${secondsOf(r.numpy!)
              .map((x) => x.toFixed(2))
              .join(', ')})`
      } | ${np === null ? '–' : `**${(ours / np).toFixed(2)}×**`} | ${rssOf(r.ours)} / ${r.numpy ? rssOf(r.numpy) : '–'} | ${r.sameLabels} |`,
    );
  }

  const { matrix, truth } = syntheticCrowd(100_000);
  const objects = Array.from(matrix.itemIndex, (item, a) => ({
    item,
    worker: matrix.workerIndex[a],
    label: matrix.labelIndex[a],
  }));
  timeDs(matrix); // warm-up (JIT) for both, then measure
  objectDawidSkene(objects, matrix.numItems, matrix.numWorkers);
  const ours: number[] = [],
    base: number[] = [];
  let oursAcc = 0,
    baseAcc = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const o = timeDs(matrix);
    ours.push(o.seconds);
    oursAcc = accuracyOf(o.labels, truth);
    const start = performance.now();
    const T = objectDawidSkene(objects, matrix.numItems, matrix.numWorkers);
    base.push((performance.now() - start) / 1000);
    baseAcc = accuracyOf(
      T.map((row) => row.indexOf(Math.max(...row))),
      truth,
    );
  }
  const large = [runChild('objects', 1_000_000), runChild('ds', 1_000_000), runChild('ds', 10_000_000)];
  log(
    `\n### In process: Dawid-Skene forced to ${ITERATIONS} iterations (synthetic K = ${K}, ${ANSWERS_PER_ITEM} answers per item)\n`,
  );
  log(
    'Median of 5 interleaved runs at 100k after a warm-up; 1M and 10M: one run each in a fresh child process, so peak RSS is that size alone.\n',
  );
  log('| implementation | answers | time (s) | vs baseline | peak RSS (MB) | accuracy vs synthetic truth |');
  log('|---|--:|--:|--:|--:|--:|');
  log(
    `| object-based JS baseline | 100,000 | ${s3(median(base))} | 1.0× | – | ${oursAcc === baseAcc ? baseAcc.toFixed(4) : `${baseAcc.toFixed(4)} (differs!)`} |`,
  );
  log(
    `| typed-array DS (src/consensus) | 100,000 | ${s3(median(ours))} (${ours.map((x) => x.toFixed(3)).join(', ')}) | ${(median(base) / median(ours)).toFixed(1)}× faster | – | ${oursAcc.toFixed(4)} |`,
  );
  for (const r of large) {
    const name = r.impl === 'objects' ? 'object-based JS baseline, own process' : 'typed-array DS, own process';
    log(
      `| ${name} | ${r.numAnswers.toLocaleString('en-US')} | ${r.seconds.toFixed(2)} | – | ${mb(r.peakRss)} (input built: ${mb(r.rssData)}) | ${r.accuracy.toFixed(4)} |`,
    );
  }
  if (process.argv.includes('--write')) {
    writeBenchmarkSection({
      file: join(ROOT, 'docs', 'benchmarks.md'),
      heading: 'Aggregate speed and memory',
      section: `## Aggregate speed and memory\n\n${lines.join('\n')}\n`,
    });
  }
}

if (process.argv[2] === '--child') child(process.argv[3], Number(process.argv[4]));
else void main();
