// A real worker process (test/payouts/worker-child.ts) on a scenario's database, queues and
// chain, for the kill -9 tests; FAULT_KILL_* variables make it SIGKILL itself mid-send.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { childConfigJson } from '../support/worker-process';
import type { Scenario } from './payout-scenario';

const ROOT = join(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<NodeJS.Signals | number | null>;
  output: () => string;
}

export function startWorker(s: Scenario, fault: Record<string, string>): WorkerProcess {
  const config = {
    ...s.app.config,
    payoutReconcileSeconds: 1,
    payoutIntervalSeconds: 0,
    depositPollSeconds: 0,
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
  };
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join('test', 'payouts', 'worker-child.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      LC_CHILD_CONFIG: childConfigJson(config),
      FAULT_KILL_AFTER_BROADCAST: '',
      FAULT_KILL_BEFORE_BROADCAST: '',
      ...fault,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c) => (output += String(c)));
  child.stderr?.on('data', (c) => (output += String(c)));
  const exited = once(child, 'exit').then(
    ([code, signal]) => (signal as NodeJS.Signals | null) ?? (code as number | null),
  );
  return { child, exited, output: () => output };
}

/** Resolves when the worker exits, or when done() holds (then stops the worker). */
export async function runUntilExitOrDone(
  worker: WorkerProcess,
  done: () => Promise<boolean>,
): Promise<NodeJS.Signals | number | null | 'done' | 'exited'> {
  let stopped = false;
  const finished = (async () => {
    while (!stopped) {
      if (await done()) return 'done' as const;
      await new Promise((r) => setTimeout(r, 100));
    }
    return 'exited' as const;
  })();
  const first = await Promise.race([worker.exited, finished]);
  stopped = true;
  if (first === 'done') {
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
  return first;
}
