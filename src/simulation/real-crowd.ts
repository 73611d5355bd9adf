import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { goldNeeded, type LabelerModel, type SimItem } from './crowd';
import { pick, shuffle, type Random } from './random';
import type { WorkerKind } from './report';

// `--dataset answer.csv,truth.csv`: a real crowd replayed. Each simulated labeler is one real
// worker (the most active first) and gives that worker's own answer when the product hands it an
// item the worker answered; for any other item it answers from the worker's confusion row
// (its answers against the truth, add-one smoothed), so its skill and bias stay its own. Items are
// the truth file's items that have answers; a `goldShare` of them become gold (their truth as
// gold label). The kind in the report is read off the worker's accuracy on the truth.

export interface RealCrowdData {
  answers: { item: string; worker: string; label: string }[];
  truth: Map<string, string>;
}

export function readRealCrowd(paths: { answers: string; truth: string }): RealCrowdData {
  const rows = (path: string) =>
    parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Record<
      string,
      string
    >[];
  const answers = rows(paths.answers).map((r) => ({ item: r.item, worker: r.worker, label: r.label }));
  if (answers.some((a) => a.item === undefined || a.worker === undefined || a.label === undefined))
    throw new Error(`${paths.answers}: expected the header item,worker,label`);
  const truthRows = rows(paths.truth);
  if (truthRows.some((r) => r.item === undefined || r.label === undefined))
    throw new Error(`${paths.truth}: expected the header item,label`);
  return { answers, truth: new Map(truthRows.map((r) => [r.item, r.label])) };
}

export function realCrowd(params: {
  data: RealCrowdData;
  workers: number;
  maxItems: number;
  goldShare: number;
  maxAnswersPerItem: number;
  itemsPerTask: number;
  random: Random;
}): { items: SimItem[]; labelers: LabelerModel[]; classes: string[] } {
  const { data, random } = params;
  const classes = [...new Set([...data.truth.values(), ...data.answers.map((a) => a.label)])].sort();
  const answered = new Set(data.answers.map((a) => a.item));
  const refs = shuffle(
    random,
    [...data.truth.keys()].filter((item) => answered.has(item)),
  ).slice(0, params.maxItems);
  // Gold comes out of the truth file's items: what is left of them is the regular work.
  const goldCount = Math.min(
    Math.floor(refs.length / 2),
    goldNeeded({ ...params, items: refs.length, workers: Math.min(params.workers, byWorkerCount(data)) }),
  );
  const items = refs.map((ref, i) => ({ ref, truth: data.truth.get(ref) as string, gold: i < goldCount }));

  const byWorker = new Map<string, Map<string, string>>();
  for (const a of data.answers) {
    const own = byWorker.get(a.worker) ?? new Map<string, string>();
    own.set(a.item, a.label);
    byWorker.set(a.worker, own);
  }
  const chosen = [...byWorker.entries()].sort((a, b) => b[1].size - a[1].size).slice(0, params.workers);
  const labelers = chosen.map(([worker, own]) => replayedWorker(worker, own, data.truth, classes));
  // Names by kind and rank, as for synthetic crowds.
  const seen = new Map<WorkerKind, number>();
  for (const l of labelers) {
    const n = seen.get(l.kind) ?? 0;
    seen.set(l.kind, n + 1);
    l.name = `${l.kind}-${String(n).padStart(2, '0')}`;
  }
  return { items, labelers, classes };
}

function replayedWorker(
  worker: string,
  own: Map<string, string>,
  truth: Map<string, string>,
  classes: readonly string[],
): LabelerModel {
  // Confusion counts truth -> answer, starting at one each.
  const confusion = new Map(classes.map((t) => [t, new Map(classes.map((c) => [c, 1]))]));
  let correct = 0;
  let judged = 0;
  for (const [item, label] of own) {
    const t = truth.get(item);
    if (t === undefined) continue;
    judged++;
    if (t === label) correct++;
    const row = confusion.get(t);
    row?.set(label, (row.get(label) ?? 0) + 1);
  }
  const accuracy = judged === 0 ? 0.5 : correct / judged;
  const kind: WorkerKind = accuracy >= 0.8 ? 'good' : accuracy >= 0.6 ? 'careless' : 'spammer';
  return {
    name: worker,
    kind,
    releaseRate: 0.02,
    abandonRate: 0.01,
    appeals: kind === 'good',
    answer: (ref, t, cls, random) => own.get(ref) ?? fromRow(confusion.get(t), cls, random),
  };
}

function fromRow(row: Map<string, number> | undefined, classes: readonly string[], random: Random): string {
  if (row === undefined) return pick(random, classes);
  const total = [...row.values()].reduce((s, n) => s + n, 0);
  let x = random() * total;
  for (const [label, n] of row) {
    x -= n;
    if (x < 0) return label;
  }
  return classes[classes.length - 1];
}

function byWorkerCount(data: RealCrowdData): number {
  return new Set(data.answers.map((a) => a.worker)).size;
}
