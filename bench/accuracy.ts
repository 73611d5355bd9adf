import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { aggregate, createAnswerEncoder, type AggregationMethodCode, type AggregationResult, type EncodedAnswers } from '../src/consensus';
import { readAnswerFiles, readCsv } from '../src/cli/csv-io';

// Accuracy of every method on every truth-inference dataset of a folder (one folder per dataset
// with answer.csv and truth.csv), measured on truth items that have at least one answer, next to
// the reference numbers of its README.
// Run: npm run bench:accuracy [-- DATA_DIR]   (default: ../shared/data/truth beside the project,
// or TRUTH_DATA_DIR)

const DATA_DIR = resolve(process.argv[2] ?? process.env.TRUTH_DATA_DIR ?? join(__dirname, '..', '..', 'shared', 'data', 'truth'));
if (!existsSync(DATA_DIR)) {
  process.stderr.write(`no truth datasets in ${DATA_DIR}: pass their folder (npm run bench:accuracy -- DIR) or set TRUTH_DATA_DIR\n`);
  process.exit(2);
}

const REFERENCE: Record<string, { mvLow: number; mvExp: number; ds: number; best: number }> = {
  zheng_d_product: { mvLow: 0.8966, mvExp: 0.8966, ds: 0.9396, best: 0.9378 },
  zheng_d_possent: { mvLow: 0.932, mvExp: 0.9335, ds: 0.96, best: 0.96 },
  snow_rte: { mvLow: 0.9187, mvExp: 0.8969, ds: 0.9275, best: 0.9275 },
  zheng_d_duck: { mvLow: 0.7593, mvExp: 0.7593, ds: 0.8981, best: 0.8796 },
  zheng_s_dog: { mvLow: 0.8178, mvExp: 0.8222, ds: 0.8426, best: 0.8426 },
};

const METHODS: readonly AggregationMethodCode[] = ['mv', 'wmv', 'ds'];

async function loadTruth(path: string): Promise<Map<string, string>> {
  const truth = new Map<string, string>();
  await readCsv({ path, expectedHeader: ['item', 'label'], onRow: (r) => truth.set(r[0], r[1]) });
  return truth;
}

function accuracy(encoded: EncodedAnswers, result: AggregationResult, truth: Map<string, string>): { acc: number; n: number } {
  let correct = 0, n = 0;
  const answered = new Int32Array(encoded.matrix.numItems);
  for (const i of encoded.matrix.itemIndex) answered[i] = 1;
  encoded.itemIds.forEach((id, i) => {
    const t = truth.get(id);
    if (t === undefined || answered[i] === 0) return;
    n++;
    if (result.labels[i] >= 0 && encoded.classes[result.labels[i]] === t) correct++;
  });
  return { acc: correct / n, n };
}

async function main(): Promise<void> {
  const datasets = readdirSync(DATA_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const rows: string[] = [];
  let allPass = true;
  for (const name of datasets) {
    const encoded = await readAnswerFiles({ encoder: createAnswerEncoder(), answersPath: join(DATA_DIR, name, 'answer.csv') });
    const truth = await loadTruth(join(DATA_DIR, name, 'truth.csv'));
    const cells: string[] = [];
    let n = 0, dsAcc = 0, dsIterations = 0;
    for (const method of METHODS) {
      const result = aggregate({ method, matrix: encoded.matrix });
      const r = accuracy(encoded, result, truth);
      n = r.n;
      cells.push(r.acc.toFixed(4));
      if (method === 'ds') { dsAcc = r.acc; dsIterations = result.iterations; }
    }
    const ref = REFERENCE[name];
    // Compare at the README's 4-decimal precision.
    const pass = ref === undefined ? 'n/a' : Number(dsAcc.toFixed(4)) >= ref.ds ? 'yes' : 'NO';
    if (pass === 'NO') allPass = false;
    const m = encoded.matrix;
    rows.push(`| ${name} | ${n} | ${m.itemIndex.length} | ${m.numClasses} | ${cells.join(' | ')} | ${dsIterations} | ${ref?.mvLow.toFixed(4) ?? '–'} | ${ref?.ds.toFixed(4) ?? '–'} | ${ref?.best.toFixed(4) ?? '–'} | ${pass} |`);
  }
  console.log('| dataset | truth items scored | answers | K | MV | WMV | DS | DS iterations | ref MV-low | ref DS | best published | DS ≥ ref DS |');
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|');
  for (const row of rows) console.log(row);
  if (!allPass) process.exitCode = 1;
}

void main();
