import { isAbsolute, join, resolve } from 'node:path';
import {
  AUTO_SETTINGS,
  CONFIDENCE_CALIBRATION,
  DEFAULT_METHOD,
  IBCC_DEFAULT_PRIOR,
  LFC_DEFAULT_PRIOR,
  methodDefaults,
  NO_CALIBRATION,
  type AggregationMethodCode,
  type Calibration,
  type ConfusionPrior,
} from '../src/consensus';
import {
  CALIBRATIONS,
  GOLD_SEEDS,
  GOLD_SHARE,
  RAW,
  SPARSE_ANSWERS,
  goldSplits,
  scoreAuto,
  scoreConfig,
  sparseCopies,
  type Config,
  type ConfigScores,
  type Scores,
} from './accuracy-runs';
import { bestWorstCase, regretTable } from './leave-one-out';
import { writeBenchmarkSection } from './report';
import { DEFAULT_TRUTH_DIR, loadTruthDatasets, type TruthDataset } from './truth-data';

// Accuracy and calibration of every method on every truth-inference dataset, and the
// leave-one-dataset-out procedure that chooses the defaults in src/consensus/defaults.ts:
// - every method, without gold, with 5% seeded gold (not clamped vs clamped), and with at most 3
//   answers per item (the regime dynamic overlap works in);
// - the default method and every knob (LFC / IBCC prior, confidence calibration per method) are
//   chosen on four datasets by the best worst-case regret and scored on the fifth;
// - AUTO (method picked per dataset from held-out gold) is scored the same way;
// - the choice made on all five must equal the shipped defaults (exit code 1 otherwise).
// Run: npm run bench:accuracy [-- DATA_DIR]   (default ../shared/data/truth, or TRUTH_DATA_DIR)

const DIR_ARGUMENT =
  process.argv.slice(2).find((a) => !a.startsWith('--')) ?? process.env.TRUTH_DATA_DIR ?? DEFAULT_TRUTH_DIR;
const DATA_DIR = isAbsolute(DIR_ARGUMENT) ? DIR_ARGUMENT : resolve(join(__dirname, '..'), DIR_ARGUMENT);

// Textbook DS first: on a tie the earlier option wins.
const METHODS: readonly AggregationMethodCode[] = ['ds', 'mv', 'wmv', 'one-coin', 'lfc', 'ibcc', 'mace', 'glad'];
const PRIOR_STRENGTHS = [0.5, 1, 2, 4, 8];
const PRIOR_ACCURACIES = [0.6, 0.7, 0.8, 0.9];

const REFERENCE: Record<string, { ds: number; best: number }> = {
  zheng_d_product: { ds: 0.9396, best: 0.9378 },
  zheng_d_possent: { ds: 0.96, best: 0.96 },
  snow_rte: { ds: 0.9275, best: 0.9275 },
  zheng_d_duck: { ds: 0.8981, best: 0.8796 },
  zheng_s_dog: { ds: 0.8426, best: 0.8426 },
};

function configsOf(method: AggregationMethodCode): Config[] {
  if (method !== 'lfc' && method !== 'ibcc') return [{ label: method, settings: { method } }];
  return PRIOR_STRENGTHS.flatMap((strength) =>
    PRIOR_ACCURACIES.map((accuracy) => ({
      label: `${method}(${strength}, ${accuracy})`,
      settings: { method, prior: { strength, accuracy } },
    })),
  );
}

const CONFIGS: readonly Config[] = METHODS.flatMap(configsOf);
const configIndices = (method?: AggregationMethodCode) =>
  CONFIGS.flatMap((c, i) => (method === undefined || c.settings.method === method ? [i] : []));

interface Evaluation {
  datasets: TruthDataset[];
  scores: ConfigScores[][]; // [config][dataset]
}

/** The three settings every choice is judged in: all answers without gold, with 5% gold
 * clamped, and at most SPARSE_ANSWERS answers per item without gold. */
const SETTINGS: readonly ((s: ConfigScores) => Scores)[] = [(s) => s.noGold, (s) => s.goldClamped, (s) => s.sparse];

/** Columns of the "every setting" tables: setting k of dataset d is column k * D + d. */
function columnsOf(datasets: readonly number[], numDatasets: number): number[] {
  return SETTINGS.flatMap((_, k) => datasets.map((d) => k * numDatasets + d));
}

function accuracyRegrets(e: Evaluation): number[][] {
  return regretTable(e.scores.map((row) => SETTINGS.flatMap((pick) => row.map((s) => pick(s).accuracy))));
}

function chooseConfig(params: {
  regrets: number[][];
  options: readonly number[];
  training: readonly number[];
  numDatasets: number;
}): number {
  const { regrets, options, training, numDatasets } = params;
  return options[bestWorstCase({ values: options.map((c) => regrets[c]), datasets: columnsOf(training, numDatasets) })];
}

/** The calibration (index) with the best worst-case regret of calibration error over the
 * training datasets, with and without gold (regret: error minus the smallest error any candidate
 * reaches on that dataset); no calibration wins ties. */
function chooseCalibration(params: { scores: ConfigScores[]; training: readonly number[] }): number {
  const values = regretTable(
    CALIBRATIONS.map((_, t) => SETTINGS.flatMap((pick) => params.scores.map((s) => -pick(s).ece[t]))),
  );
  return bestWorstCase({ values, datasets: columnsOf(params.training, params.scores.length) });
}

interface HeldOut {
  /** The default configuration the procedure picks. */
  fixed: number;
  /** Per method, its configuration (the knob, for LFC / IBCC). */
  method: Map<AggregationMethodCode, number>;
  /** Per method, its calibration (index into CALIBRATIONS). */
  calibration: Map<AggregationMethodCode, number>;
}

/** Every method's regret on each training dataset with its knob chosen on the OTHER training
 * datasets (a held-out score even inside the training set), one column per setting x dataset. */
function innerHeldOutRegrets(e: Evaluation, training: readonly number[]): number[][] {
  const regrets = accuracyRegrets(e);
  const D = e.datasets.length;
  return METHODS.map((m) => {
    const row = new Array<number>(SETTINGS.length * D).fill(NaN);
    for (const t of training) {
      const config = chooseConfig({
        regrets,
        options: configIndices(m),
        training: training.filter((x) => x !== t),
        numDatasets: D,
      });
      SETTINGS.forEach((_, k) => {
        row[k * D + t] = regrets[config][k * D + t];
      });
    }
    return row;
  });
}

/** The default-choosing procedure, run on `training`: every method's knob by best worst-case
 * regret; then the METHOD with the best worst-case held-out regret (its knob chosen without the
 * dataset it is scored on), so a knob grid cannot win by fitting noise; then each method's
 * calibration by best worst-case regret of calibration error. */
function choose(e: Evaluation, training: readonly number[]): HeldOut {
  const regrets = accuracyRegrets(e);
  const numDatasets = e.datasets.length;
  const method = new Map(
    METHODS.map((m) => [m, chooseConfig({ regrets, options: configIndices(m), training, numDatasets })]),
  );
  const best = bestWorstCase({ values: innerHeldOutRegrets(e, training), datasets: columnsOf(training, numDatasets) });
  const calibration = new Map(
    METHODS.map((m) => [m, chooseCalibration({ scores: e.scores[method.get(m)!], training })]),
  );
  return { fixed: method.get(METHODS[best])!, method, calibration };
}

function autoSettingsFor(choice: HeldOut) {
  return {
    ...AUTO_SETTINGS,
    candidates: METHODS.map((m) => CONFIGS[choice.method.get(m)!].settings),
    fallback: CONFIGS[choice.fixed].settings,
  };
}

const f4 = (x: number) => x.toFixed(4);
const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`;
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const header = (cells: string[], align: string[]) => `${row(cells)}\n${row(align)}`;

async function main(): Promise<void> {
  const started = Date.now();
  const datasets = await loadTruthDatasets(DATA_DIR);
  const D = datasets.length;
  const splits = datasets.map(goldSplits);
  const sparse = datasets.map(sparseCopies);
  const e: Evaluation = {
    datasets,
    scores: CONFIGS.map((config) =>
      datasets.map((dataset, d) => scoreConfig({ dataset, splits: splits[d], sparse: sparse[d], config })),
    ),
  };
  const regrets = accuracyRegrets(e);
  const everyDataset = datasets.map((_, i) => i);
  const heldOut = everyDataset.map((d) =>
    choose(
      e,
      everyDataset.filter((i) => i !== d),
    ),
  );
  const auto = datasets.map((dataset, d) =>
    scoreAuto({ dataset, splits: splits[d], settings: autoSettingsFor(heldOut[d]) }),
  );
  const all = choose(e, everyDataset);
  const out: string[] = [];
  const s = (c: number, d: number) => e.scores[c][d];

  out.push(
    `Datasets: ${D} in \`${DIR_ARGUMENT}\`; accuracy on truth items with ≥ 1 answer; ` +
      `gold = ${GOLD_SHARE * 100}% of those items drawn with seeds ${GOLD_SEEDS.join(', ')} (numbers with gold are means over the seeds, scored on the other 95%). ` +
      'LFC / IBCC columns use the prior chosen on the other four datasets (held out); the other methods have no knob.\n',
  );

  out.push('### Accuracy without gold\n');
  out.push(
    header(
      ['dataset', 'answers', 'K', ...METHODS, 'ref DS', 'best published', 'DS ≥ ref DS'],
      ['---', '--:', '--:', ...METHODS.map(() => '--:'), '--:', '--:', ':-:'],
    ),
  );
  let allPass = true;
  datasets.forEach((dataset, d) => {
    const ref = REFERENCE[dataset.name];
    const ds = s(configIndices('ds')[0], d).noGold.accuracy;
    const pass = ref === undefined ? 'n/a' : Number(ds.toFixed(4)) >= ref.ds ? 'yes' : 'NO';
    if (pass === 'NO') allPass = false;
    out.push(
      row([
        dataset.name,
        dataset.encoded.matrix.itemIndex.length,
        dataset.encoded.matrix.numClasses,
        ...METHODS.map((m) => f4(s(heldOut[d].method.get(m)!, d).noGold.accuracy)),
        ref ? f4(ref.ds) : '–',
        ref ? f4(ref.best) : '–',
        pass,
      ]),
    );
  });

  out.push('\n### Accuracy with 5% gold: gold not used → gold clamped (gain)\n');
  out.push(header(['dataset', ...METHODS, 'AUTO (picks)'], ['---', ...METHODS.map(() => '--:'), '--:']));
  datasets.forEach((dataset, d) => {
    const cells = METHODS.map((m) => {
      const x = s(heldOut[d].method.get(m)!, d);
      return `${f4(x.goldNotClamped.accuracy)} → ${f4(x.goldClamped.accuracy)} (${signed(x.goldClamped.accuracy - x.goldNotClamped.accuracy)})`;
    });
    out.push(
      row([
        dataset.name,
        ...cells,
        `${f4(meanOf(auto[d].map((a) => a.scores.accuracy)))} (${picks(auto[d].map((a) => a.method))})`,
      ]),
    );
  });

  out.push(
    `\n### Accuracy with at most ${SPARSE_ANSWERS} answers per item, no gold (mean of ${GOLD_SEEDS.length} seeded subsamples)\n`,
  );
  out.push(header(['dataset', ...METHODS], ['---', ...METHODS.map(() => '--:')]));
  datasets.forEach((dataset, d) =>
    out.push(row([dataset.name, ...METHODS.map((m) => f4(s(heldOut[d].method.get(m)!, d).sparse.accuracy))])),
  );

  for (const [title, pick] of [
    ['without gold', (x: ConfigScores) => x.noGold],
    ['with 5% gold clamped', (x: ConfigScores) => x.goldClamped],
    [`with at most ${SPARSE_ANSWERS} answers per item`, (x: ConfigScores) => x.sparse],
  ] as const) {
    out.push(
      `\n### Expected calibration error ${title}: raw → calibrated (T = scale × answers^exponent chosen on the other four)\n`,
    );
    out.push(header(['dataset', ...METHODS], ['---', ...METHODS.map(() => '--:')]));
    datasets.forEach((dataset, d) => {
      out.push(
        row([
          dataset.name,
          ...METHODS.map((m) => {
            const x = pick(s(heldOut[d].method.get(m)!, d));
            const t = heldOut[d].calibration.get(m)!;
            return `${f3(x.ece[RAW])} → ${f3(x.ece[t])} (${calibrationLabel(CALIBRATIONS[t])})`;
          }),
        ]),
      );
    });
  }

  // Calibration ships only where the choosing procedure beats no calibration on held-out data.
  const calibrationVerdict = new Map(
    METHODS.map((m) => {
      const raw: number[] = [],
        calibrated: number[] = [];
      datasets.forEach((_, d) => {
        const x = s(heldOut[d].method.get(m)!, d);
        for (const pick of SETTINGS) {
          raw.push(pick(x).ece[RAW]);
          calibrated.push(pick(x).ece[heldOut[d].calibration.get(m)!]);
        }
      });
      return [m, { raw, calibrated, ships: Math.max(...calibrated) < Math.max(...raw) - 1e-12 }];
    }),
  );
  out.push(
    '\n### Calibration: held-out calibration error over the five datasets × three settings, without and with the calibration chosen on the other four\n',
  );
  out.push(
    header(
      ['method', 'raw: worst / mean', 'calibrated: worst / mean', 'ships', 'calibration chosen on all five'],
      ['---', '--:', '--:', ':-:', '---'],
    ),
  );
  for (const m of METHODS) {
    const v = calibrationVerdict.get(m)!;
    out.push(
      row([
        m,
        `${f3(Math.max(...v.raw))} / ${f3(meanOf(v.raw))}`,
        `${f3(Math.max(...v.calibrated))} / ${f3(meanOf(v.calibrated))}`,
        v.ships ? 'yes' : 'no',
        calibrationLabel(CALIBRATIONS[all.calibration.get(m)!]),
      ]),
    );
  }

  out.push(
    '\n### Every method held out: regret with its knob chosen on the other four datasets (worst / mean over the five)\n',
  );
  out.push(
    header(['method', 'no gold', '5% gold', `≤ ${SPARSE_ANSWERS} answers per item`], ['---', '--:', '--:', '--:']),
  );
  const methodRows = innerHeldOutRegrets(e, everyDataset);
  METHODS.forEach((m, i) =>
    out.push(
      row([
        m,
        ...SETTINGS.map((_, k) => {
          const xs = datasets.map((_x, d) => methodRows[i][k * D + d]);
          return `${signed(Math.min(...xs))} / ${signed(meanOf(xs))}`;
        }),
      ]),
    ),
  );

  out.push('\n### Leave-one-dataset-out: the default chosen on the other four, scored on the held-out dataset\n');
  out.push(
    'Regret = held-out accuracy minus the best any candidate configuration reaches on that dataset in hindsight (0 is the best possible). ' +
      `Candidates: ${CONFIGS.length} configurations (${METHODS.join(', ')}; LFC and IBCC with priors of strength ${PRIOR_STRENGTHS.join('/')} × accuracy ${PRIOR_ACCURACIES.join('/')}). ` +
      `Choice, on the four training datasets in all three settings (no gold, 5% gold, ≤ ${SPARSE_ANSWERS} answers per item): each method's knob by best worst-case regret, then the method whose held-out regret (knob chosen without the dataset scored) has the best worst case. AUTO: ` +
      'per dataset, the candidate (each method with its held-out prior) ' +
      `that gets most hidden gold right in ${AUTO_SETTINGS.folds}-fold cross-validation on the gold (fallback: the fixed choice; at least ${AUTO_SETTINGS.minGold} answered gold items).\n`,
  );
  out.push(
    header(
      [
        'held-out dataset',
        'chosen on the other four',
        'no gold (regret)',
        '5% gold (regret)',
        `≤ ${SPARSE_ANSWERS} answers (regret)`,
        'AUTO, 5% gold (regret)',
        'hindsight best, no gold',
      ],
      ['---', '---', '--:', '--:', '--:', '--:', '---'],
    ),
  );
  const fixedRegrets: number[][] = SETTINGS.map(() => []),
    autoRegrets: number[] = [];
  datasets.forEach((dataset, d) => {
    const c = heldOut[d].fixed;
    const bestNoGold = configIndices().reduce((b, i) => (s(i, d).noGold.accuracy > s(b, d).noGold.accuracy ? i : b));
    const autoAccuracy = meanOf(auto[d].map((a) => a.scores.accuracy));
    const bestGold = Math.max(...CONFIGS.map((_, i) => s(i, d).goldClamped.accuracy));
    SETTINGS.forEach((_, k) => fixedRegrets[k].push(regrets[c][k * D + d]));
    autoRegrets.push(autoAccuracy - bestGold);
    out.push(
      row([
        dataset.name,
        CONFIGS[c].label,
        ...SETTINGS.map((pick, k) => `${f4(pick(s(c, d)).accuracy)} (${signed(regrets[c][k * D + d])})`),
        `${f4(autoAccuracy)} (${signed(autoAccuracy - bestGold)})`,
        `${CONFIGS[bestNoGold].label} ${f4(s(bestNoGold, d).noGold.accuracy)}`,
      ]),
    );
  });
  const summary = (xs: number[]) => `worst ${signed(Math.min(...xs))}, mean ${signed(meanOf(xs))}`;
  const settingNames = ['no gold', '5% gold', `≤ ${SPARSE_ANSWERS} answers per item`];
  const ds = configIndices('ds')[0];
  out.push(
    `\nHeld-out regret of the fixed default: ${settingNames.map((n, k) => `${n} ${summary(fixedRegrets[k])}`).join('; ')}.`,
  );
  out.push(
    `For comparison, textbook DS everywhere (no choice made): ${settingNames.map((n, k) => `${n} ${summary(datasets.map((_, d) => regrets[ds][k * D + d]))}`).join('; ')}.`,
  );
  const fixedWithGold = Math.min(...fixedRegrets[1]),
    autoWithGold = Math.min(...autoRegrets);
  const autoWins =
    autoWithGold > fixedWithGold + 1e-12 ||
    (Math.abs(autoWithGold - fixedWithGold) <= 1e-12 && meanOf(autoRegrets) > meanOf(fixedRegrets[1]));
  out.push(
    `AUTO with 5% gold: ${summary(autoRegrets)} against the fixed default's ${summary(fixedRegrets[1])} → AUTO ${autoWins ? 'wins' : 'does not win'} (best worst case, then mean).`,
  );

  out.push('\n### Chosen on all five datasets (what ships) vs src/consensus/defaults.ts\n');
  out.push(header(['setting', 'the procedure picks', 'shipped', 'same'], ['---', '---', '---', ':-:']));
  const checks: [string, string, string][] = [
    [
      'default method',
      autoWins ? `auto (fallback ${CONFIGS[all.fixed].label})` : CONFIGS[all.fixed].label,
      DEFAULT_METHOD === 'auto'
        ? `auto (fallback ${labelOf(AUTO_SETTINGS.fallback)})`
        : labelOf(methodDefaults(DEFAULT_METHOD)),
    ],
    ['LFC prior', CONFIGS[all.method.get('lfc')!].label, labelOf({ method: 'lfc', prior: LFC_DEFAULT_PRIOR })],
    ['IBCC prior', CONFIGS[all.method.get('ibcc')!].label, labelOf({ method: 'ibcc', prior: IBCC_DEFAULT_PRIOR })],
    ...METHODS.map((m): [string, string, string] => [
      `calibration ${m}`,
      calibrationLabel(calibrationVerdict.get(m)!.ships ? CALIBRATIONS[all.calibration.get(m)!] : NO_CALIBRATION),
      calibrationLabel(CONFIDENCE_CALIBRATION[m]),
    ]),
  ];
  let allSame = true;
  for (const [setting, picked, shipped] of checks) {
    const same = picked === shipped;
    if (!same) allSame = false;
    out.push(row([setting, picked, shipped, same ? 'yes' : 'NO']));
  }
  out.push(
    `\n${CONFIGS.length} configurations × ${D} datasets × (1 + ${GOLD_SEEDS.length} gold seeds) runs, plus AUTO; ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  );

  const text = out.join('\n');
  console.log(text);
  if (process.argv.includes('--write')) {
    writeBenchmarkSection({
      file: join(__dirname, '..', 'docs', 'benchmarks.md'),
      heading: 'Consensus accuracy',
      section: `## Consensus accuracy\n\n${runLine()}\n\n${text}\n`,
    });
  }
  if (!allPass || !allSame) process.exitCode = 1;
}

function labelOf(settings: { method: AggregationMethodCode; prior?: ConfusionPrior }): string {
  return settings.prior === undefined || (settings.method !== 'lfc' && settings.method !== 'ibcc')
    ? settings.method
    : `${settings.method}(${settings.prior.strength}, ${settings.prior.accuracy})`;
}

function calibrationLabel(c: Calibration): string {
  return c.exponent === 0 && c.scale === 1 ? 'none' : `${c.scale} × n^${c.exponent}`;
}

function picks(methods: AggregationMethodCode[]): string {
  const counts = new Map<string, number>();
  for (const m of methods) counts.set(m, (counts.get(m) ?? 0) + 1);
  return [...counts].map(([m, n]) => `${m} ×${n}`).join(', ');
}

function meanOf(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function runLine(): string {
  return `Run: ${new Date().toISOString().slice(0, 10)}, Linux, 2 cores, 24 GiB, Node ${process.versions.node}. \`npm run bench:accuracy -- --write\` (bench/accuracy.ts).`;
}
void main();
