import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { TestApp } from './test-app';

const ROOT = join(__dirname, '..', '..');

// A real worker process (test/payouts/worker-child.ts) on the test app's database and queues,
// for the crash tests. `config` overrides the app's config (schedules, chunk sizes); `env` sets
// FAULT_KILL_* variables (src/payouts/fault-injection.ts) that make it SIGKILL itself at a point.
export function startWorkerProcess(
  app: TestApp,
  params: { config?: Record<string, unknown>; env?: Record<string, string> },
): { child: ChildProcess; exited: Promise<NodeJS.Signals | number | null> } {
  const config = {
    ...app.config,
    payoutIntervalSeconds: 0,
    payoutReconcileSeconds: 0,
    depositPollSeconds: 0,
    logLevel: 'silent',
    ...params.config,
  };
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join('test', 'payouts', 'worker-child.ts')], {
    cwd: ROOT,
    // The config's one bigint (payoutMinUnits) travels as a decimal string (worker-child.ts reads it back).
    env: { ...process.env, LC_CHILD_CONFIG: childConfigJson(config), ...params.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(
    ([code, signal]) => (signal as NodeJS.Signals | null) ?? (code as number | null),
  );
  return { child, exited };
}

/** The app's config as the worker child reads it: bigints as decimal strings. */
export function childConfigJson(config: Record<string, unknown>): string {
  return JSON.stringify(config, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}
