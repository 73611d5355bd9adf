import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

// Runs a command as its own process and measures what a user waits for: wall time from spawn to
// exit, and the child's peak RSS (through /usr/bin/time when the machine has it).

export interface ProcessRun {
  readonly seconds: number;
  readonly peakRssMb: number | null;
}

const TIME = '/usr/bin/time';
const HAS_TIME = existsSync(TIME);

export function runProcess(params: {
  command: string;
  args: readonly string[];
  stdoutFile?: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}): ProcessRun {
  const { command, args, stdoutFile, cwd } = params;
  const [file, argv] = HAS_TIME ? [TIME, ['-f', 'peak-rss-kb %M', command, ...args]] : [command, [...args]];
  const started = performance.now();
  const result = spawnSync(file, argv, {
    cwd,
    env: params.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', stdoutFile === undefined ? 'ignore' : 'pipe', 'pipe'],
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  if (stdoutFile !== undefined) writeFileSync(stdoutFile, result.stdout);
  const rss = /peak-rss-kb (\d+)/.exec(result.stderr ?? '');
  return { seconds, peakRssMb: rss ? Number(rss[1]) / 1024 : null };
}

/** item -> label of an `item,label,confidence` CSV (ids here never need quoting). */
export function labelsOf(path: string): Map<string, string> {
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  return new Map(
    lines.map((line) => {
      const [item, label] = line.split(',');
      return [item, label];
    }),
  );
}

export function hasNumpy(): boolean {
  return spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}
