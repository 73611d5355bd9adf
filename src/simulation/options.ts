import { parseArgs } from 'node:util';
import { WORKER_KINDS, type WorkerKind } from './report';

// `npm run simulate -- [options]`: parsed and checked here, before anything starts. Pure.

export interface SimulationOptions {
  workers: number;
  items: number;
  reviewers: number;
  /** Share of each labeler kind (sums to 1). */
  mix: Record<WorkerKind, number>;
  classes: string[];
  goldShare: number;
  answersPerItem: number;
  maxAnswersPerItem: number;
  targetConfidence: number;
  itemsPerTask: number;
  /** Tokens per accepted answer (decimal string). */
  reward: string;
  /** Mean think time of a labeler per task, milliseconds. */
  thinkMs: number;
  seed: number;
  chaos: boolean;
  /** Running stack(s) to use instead of starting one (comma-separated GraphQL origins). */
  api: string[] | null;
  /** answer.csv and truth.csv of a real crowd: simulated labelers answer as its workers did. */
  dataset: { answers: string; truth: string } | null;
  out: string;
  /** Give up (and report what did not finish) after this many seconds. */
  timeoutSeconds: number;
  /** Live progress bar (default: when stderr is a terminal). */
  progress: boolean;
}

export const DEFAULT_MIX: Record<WorkerKind, number> = {
  good: 0.6,
  careless: 0.15,
  spammer: 0.1,
  adversarial: 0.1,
  colluding: 0.05,
};

export const SIMULATE_USAGE =
  'simulate [--workers 50] [--items 2000] [--reviewers 3] [--mix good=60,careless=15,spammer=10,adversarial=10,colluding=5] ' +
  '[--classes cat,dog,bird] [--dataset answer.csv,truth.csv] [--chaos] [--api URL[,URL]] [--seed 1] [--out DIR] [--timeout 900]';

export class SimulationUsageError extends Error {}

export function parseSimulationOptions(args: readonly string[], isTty: boolean): SimulationOptions {
  let values;
  try {
    values = readArgs(args);
  } catch (error) {
    throw new SimulationUsageError((error as Error).message.split('\n')[0]);
  }
  return fromValues(values, isTty);
}

function readArgs(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    strict: true,
    options: {
      workers: { type: 'string' },
      items: { type: 'string' },
      reviewers: { type: 'string' },
      mix: { type: 'string' },
      classes: { type: 'string' },
      'gold-share': { type: 'string' },
      'answers-per-item': { type: 'string' },
      'max-answers': { type: 'string' },
      'target-confidence': { type: 'string' },
      'items-per-task': { type: 'string' },
      reward: { type: 'string' },
      'think-ms': { type: 'string' },
      seed: { type: 'string' },
      chaos: { type: 'boolean' },
      api: { type: 'string' },
      dataset: { type: 'string' },
      out: { type: 'string' },
      timeout: { type: 'string' },
      progress: { type: 'boolean' },
      'no-progress': { type: 'boolean' },
    },
  }).values;
}

function fromValues(values: ReturnType<typeof readArgs>, isTty: boolean): SimulationOptions {
  const answersPerItem = int(values['answers-per-item'], 'answers-per-item', 3, 1, 20);
  const options: SimulationOptions = {
    workers: int(values.workers, 'workers', 50, 2, 2000),
    items: int(values.items, 'items', 2000, 10, 1_000_000),
    reviewers: int(values.reviewers, 'reviewers', 3, 1, 100),
    mix: parseMix(values.mix),
    classes: parseClasses(values.classes),
    goldShare: num(values['gold-share'], 'gold-share', 0.06, 0.01, 0.5),
    answersPerItem,
    maxAnswersPerItem: int(values['max-answers'], 'max-answers', answersPerItem + 2, answersPerItem, 30),
    targetConfidence: num(values['target-confidence'], 'target-confidence', 0.8, 0.5, 0.999),
    itemsPerTask: int(values['items-per-task'], 'items-per-task', 10, 1, 100),
    reward: parseReward(values.reward),
    thinkMs: int(values['think-ms'], 'think-ms', 200, 0, 60_000),
    seed: int(values.seed, 'seed', 1, 0, 2 ** 31 - 1),
    chaos: values.chaos === true,
    api: values.api === undefined ? null : parseApis(values.api),
    dataset: values.dataset === undefined ? null : parseDataset(values.dataset),
    out: values.out ?? 'simulation-report',
    timeoutSeconds: int(values.timeout, 'timeout', 900, 10, 86_400),
    progress: values['no-progress'] === true ? false : (values.progress ?? isTty),
  };
  if (options.chaos && options.api !== null)
    throw new SimulationUsageError('--chaos needs a stack of its own to break: leave out --api');
  return options;
}

function int(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new SimulationUsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

function num(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new SimulationUsageError(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

export function parseMix(raw: string | undefined): Record<WorkerKind, number> {
  if (raw === undefined) return { ...DEFAULT_MIX };
  const mix = Object.fromEntries(WORKER_KINDS.map((k) => [k, 0])) as Record<WorkerKind, number>;
  for (const part of raw.split(',')) {
    const [kind, weight] = part.split('=');
    if (!(WORKER_KINDS as readonly string[]).includes(kind) || !(Number(weight) >= 0))
      throw new SimulationUsageError(
        `--mix takes kind=weight pairs of ${WORKER_KINDS.join(', ')} (e.g. good=70,spammer=30), got "${part}"`,
      );
    mix[kind as WorkerKind] = Number(weight);
  }
  const total = WORKER_KINDS.reduce((s, k) => s + mix[k], 0);
  if (total <= 0) throw new SimulationUsageError('--mix needs at least one kind with a weight above 0');
  for (const k of WORKER_KINDS) mix[k] /= total;
  return mix;
}

function parseClasses(raw: string | undefined): string[] {
  if (raw === undefined) return ['cat', 'dog', 'bird'];
  const classes = raw.split(',').map((c) => c.trim());
  if (classes.length < 2 || classes.some((c) => c === '') || new Set(classes).size !== classes.length)
    throw new SimulationUsageError('--classes takes two or more distinct names, comma-separated');
  return classes;
}

function parseReward(raw: string | undefined): string {
  if (raw === undefined) return '0.1';
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) <= 0)
    throw new SimulationUsageError(`--reward must be a positive decimal number of tokens, got "${raw}"`);
  return raw;
}

function parseApis(raw: string): string[] {
  const urls = raw.split(',').map((u) => u.trim().replace(/\/+$/, ''));
  for (const u of urls) {
    if (!/^https?:\/\/[^/]+$/.test(u))
      throw new SimulationUsageError(`--api takes origins like http://localhost:3000, got "${u}"`);
  }
  return urls;
}

function parseDataset(raw: string): { answers: string; truth: string } {
  const [answers, truth, ...rest] = raw.split(',');
  if (!answers || !truth || rest.length > 0)
    throw new SimulationUsageError('--dataset takes two files: answer.csv,truth.csv');
  return { answers, truth };
}
