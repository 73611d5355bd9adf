import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main';

/** Runs `npm run cli -- <args>` in-process; stdout and stderr together in `out`. */
export async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (chunk) => (out += String(chunk)));
  stderr.on('data', (chunk) => (out += String(chunk)));
  const code = await runCli(args, { stdout, stderr });
  return { code, out };
}
