import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

// Runs the real CLI as a child process on temp CSV files and checks stdout, the --out file and
// exit codes: `node scripts/cli.js` is what `npm run cli` runs (it builds the compiled CLI when
// sources are newer), and dist/src/cli/main.js is the package's `labelchain` bin.

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<CliOutcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['scripts/cli.js', ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// item a: 2 x "cat" vs 1 "dog"; item "b,2" (quoted id) unanimous dog; item c: a 1-1 tie.
const ANSWERS = [
  'item,worker,label',
  'a,w1,cat',
  'a,w2,cat',
  'a,w3,dog',
  '"b,2",w1,dog',
  '"b,2",w2,dog',
  'c,w1,dog',
  'c,w3,cat',
  '',
].join('\n');

describe('npm run cli -- aggregate', () => {
  jest.setTimeout(120_000);
  let dir: string;
  beforeAll(async () => {
    // The first run after a source change compiles the CLI (tsc) before running it.
    await cli(['--help']);
    dir = await mkdtemp(join(tmpdir(), 'labelchain-cli-'));
    await writeFile(join(dir, 'answers.csv'), ANSWERS);
    await writeFile(join(dir, 'gold.csv'), 'item,label\nc,dog\n');
    await writeFile(join(dir, 'bad-header.csv'), 'item,user,label\na,w1,cat\n');
    await writeFile(join(dir, 'short-row.csv'), 'item,worker,label\na,w1\n');
    await writeFile(join(dir, 'open-quote.csv'), 'item,worker,label\n"a,w1,cat\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the compiled bin gives the same output as npm run cli', async () => {
    const args = ['aggregate', '--answers', join(dir, 'answers.csv'), '--method', 'ds'];
    const viaNpmScript = await cli(args);
    const { stdout } = await run(process.execPath, ['dist/src/cli/main.js', ...args], { cwd: ROOT });
    expect(viaNpmScript.code).toBe(0);
    expect(stdout).toBe(viaNpmScript.stdout);
    expect(stdout.split('\n')[0]).toBe('item,label,confidence');
  });

  it('writes item,label,confidence to stdout with majority vote', async () => {
    const out = await cli(['aggregate', '--answers', join(dir, 'answers.csv'), '--method', 'mv']);
    expect(out.code).toBe(0);
    // Ties go to the lowest class: "cat" < "dog". Majority vote's calibration (T = n^-0.5) turns
    // a 2/3 share of 3 answers into 2^sqrt(3) / (2^sqrt(3) + 1) = 0.768625 and leaves a tie at 1/2.
    expect(out.stdout).toBe('item,label,confidence\na,cat,0.768625\n"b,2",dog,1\nc,cat,0.5\n');
  });

  it('clamps gold items and writes to --out with the default method', async () => {
    const outFile = join(dir, 'labels.csv');
    const out = await cli([
      'aggregate',
      '--answers',
      join(dir, 'answers.csv'),
      '--gold',
      join(dir, 'gold.csv'),
      '--out',
      outFile,
    ]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('');
    const lines = (await readFile(outFile, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('item,label,confidence');
    expect(lines.map((l) => l.split(',')[0])).toEqual(['item', 'a', '"b', 'c']);
    expect(lines[3]).toBe('c,dog,1');
    for (const line of lines.slice(1)) {
      const confidence = Number(line.split(',').at(-1));
      expect(confidence).toBeGreaterThan(0);
      expect(confidence).toBeLessThanOrEqual(1);
    }
  });

  it.each<[string, (d: string) => string[], RegExp]>([
    ['a missing file', (d) => ['aggregate', '--answers', join(d, 'nope.csv')], /cannot read .*nope\.csv/],
    [
      'a bad header',
      (d) => ['aggregate', '--answers', join(d, 'bad-header.csv')],
      /header must be "item,worker,label"/,
    ],
    ['no --answers', () => ['aggregate'], /--answers FILE is required/],
    [
      'an unknown method',
      (d) => ['aggregate', '--answers', join(d, 'answers.csv'), '--method', 'kos'],
      /--method must be one of auto, mv, wmv, ds/,
    ],
    ['an unknown option', (d) => ['aggregate', '--answers', join(d, 'answers.csv'), '--bogus'], /bogus/],
    ['an unknown command', () => ['frobnicate'], /unknown command "frobnicate"/],
    [
      'an unwritable --out',
      (d) => ['aggregate', '--answers', join(d, 'answers.csv'), '--out', join(d, 'no-such-dir', 'x.csv')],
      /cannot write .*no-such-dir/,
    ],
    [
      'a label missing from a row',
      (d) => ['aggregate', '--answers', join(d, 'short-row.csv')],
      /short-row\.csv:2: expected 3 fields, got 2/,
    ],
    [
      'an unclosed quote',
      (d) => ['aggregate', '--answers', join(d, 'open-quote.csv')],
      /open-quote\.csv: line 2: quoted field is not closed/,
    ],
  ])('exits with code 2 and a clear message on %s', async (_name, args, message) => {
    const out = await cli(args(dir));
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stdout).toBe('');
  });
});
