import { compileForChild } from './child-build';
import { median, writeBenchmarkSection } from './report';
// Streaming ingest: 1,000,000 NDJSON items through POST /datasets/:id/items, against a baseline
// measured in the same run: psql `\copy` (COPY FROM STDIN, CSV) of the same rows into an
// equivalent table (CREATE TABLE ... (LIKE items INCLUDING ALL): same defaults, identity,
// unique and partial indexes). The api runs in a child process (ROLE=api) so its peak RSS
// (VmHWM) is its own, and it runs JavaScript compiled ahead with @swc/core into bench/.out (as in
// production, where `node dist/src/main.js` runs; the @swc-node/register loader alone adds ~90 MB
// RSS). The client streams a pre-generated file so it costs almost no CPU.
// Runs alternate (ingest, COPY, COPY, ingest, ...) on a freshly truncated table each time.
//
//   npm run bench:ingest [-- --items 1000000 --runs 5 --docs docs/benchmarks.md --no-write]
// Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres), Redis on 127.0.0.1:6379, psql.
import 'reflect-metadata';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createApp, migrateDatabase } from '../src/app.factory';
import { hashApiKey } from '../src/auth/api-keys.service';
import { parseConfig, tokenTerms } from '../src/config/config.schema';
import { NO_CHAIN_DECIMALS } from '../src/common/money';

const PG = 'postgres://postgres@127.0.0.1:5432';
const DB = 'labelchain_bench_ingest';
const DB_URL = `${PG}/${DB}`;
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const ITEMS = Number(arg('items', '1000000'));
const RUNS = Number(arg('runs', '5'));
const CLASSES = ['cat', 'dog', 'bird', 'fish'];

// ---------- server side (child process) ----------
async function serve(): Promise<void> {
  const base = parseConfig({
    NODE_ENV: 'production',
    // Production config refuses placeholder secrets; nothing outside this process signs tokens.
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    DB_MIGRATE_ON_BOOT: 'false',
    QUEUE_PREFIX: 'lc_bench_ingest',
  });
  const app = await createApp({
    ...base,
    role: 'api',
    databaseUrl: DB_URL,
    jwtSecret: base.jwtSecret as string,
    chain: null,
    ...tokenTerms(base, NO_CHAIN_DECIMALS),
  });
  await app.listen(0, '127.0.0.1');
  const port = Number(new URL(await app.getUrl()).port);
  const peakRss = (): number => {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status);
    return kb ? Number(kb[1]) * 1024 : process.memoryUsage().rss;
  };
  const idleRss = process.memoryUsage().rss;
  process.on('message', (msg: string) => {
    if (msg === 'stats') process.send?.({ peakRss: peakRss(), idleRss, cpu: process.cpuUsage() });
    if (msg === 'stop') void app.close().then(() => process.exit(0));
  });
  process.send?.({ port });
}

// ---------- client side ----------
async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

function csvField(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

async function generateFiles(dir: string, datasetId: string): Promise<{ ndjson: string; csv: string }> {
  mkdirSync(dir, { recursive: true });
  const ndjson = join(dir, `items-${ITEMS}.ndjson`);
  const csv = join(dir, `items-${ITEMS}.csv`);
  const nd = createWriteStream(ndjson);
  const cs = createWriteStream(csv);
  for (let n = 0; n < ITEMS; n++) {
    const externalId = `item-${String(n).padStart(7, '0')}`;
    const payload = {
      text: `Sentence ${n}: is this a picture of an animal, and which one?`,
      url: `https://img.example/${n}.jpg`,
      n,
    };
    const gold = n % 100 === 0 ? CLASSES[n % CLASSES.length] : null;
    const line =
      JSON.stringify(gold === null ? { externalId, payload } : { externalId, payload, goldLabel: gold }) + '\n';
    const row = `${datasetId},${externalId},${csvField(JSON.stringify(payload))},${gold !== null},${gold === null ? '' : csvField(JSON.stringify(gold))}\n`;
    const okA = nd.write(line);
    const okB = cs.write(row);
    if (!okA) await once(nd, 'drain');
    if (!okB) await once(cs, 'drain');
  }
  nd.end();
  cs.end();
  await Promise.all([once(nd, 'finish'), once(cs, 'finish')]);
  return { ndjson, csv };
}

function postFile(params: {
  port: number;
  path: string;
  file: string;
  headers: Record<string, string>;
}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: params.port,
        path: params.path,
        method: 'POST',
        headers: { ...params.headers, 'transfer-encoding': 'chunked' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    createReadStream(params.file, { highWaterMark: 256 * 1024 }).pipe(req);
  });
}

async function graphql(
  port: number,
  apiKey: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (!json.data) throw new Error(`GraphQL failed: ${JSON.stringify(json.errors)}`);
  return json.data;
}

function buildChild(): string {
  return compileForChild({
    name: 'ingest-build',
    dirs: ['src'],
    files: [__filename, join(__dirname, 'report.ts'), join(__dirname, 'child-build.ts')],
  });
}

function startServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(buildChild(), ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (msg: { port: number }) => resolve({ child, port: msg.port }));
    child.once('exit', (code) => reject(new Error(`api process exited with ${code}`)));
  });
}

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (msg: T) => resolve(msg));
    child.send(message);
  });
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  await sql(`${PG}/postgres`, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await sql(`${PG}/postgres`, `CREATE DATABASE ${DB}`);
  await migrateDatabase(DB_URL);
  await sql(DB_URL, 'CREATE TABLE items_copy_baseline (LIKE items INCLUDING ALL)');

  const apiKey = `lc_bench_${randomBytes(16).toString('hex')}`;
  const [account] = await sql<{ id: string }>(
    DB_URL,
    `INSERT INTO accounts (address, roles) VALUES ($1, '{LABELER,REQUESTER}') RETURNING id`,
    [`0x${randomBytes(20).toString('hex')}`],
  );
  await sql(DB_URL, `INSERT INTO api_keys (account_id, name, prefix, key_hash) VALUES ($1, 'bench', 'bench', $2)`, [
    account.id,
    hashApiKey(apiKey),
  ]);

  const { child, port } = await startServer();
  const files = await generateFiles(join(tmpdir(), 'labelchain-bench-ingest'), '00000000-0000-4000-8000-000000000000');
  const bytes = statSync(files.ndjson).size;
  const ingestRates: number[] = [];
  const copyRates: number[] = [];
  const create = 'mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }';
  for (let run = 0; run < RUNS; run++) {
    for (const kind of run % 2 === 0 ? ['ingest', 'copy'] : ['copy', 'ingest']) {
      await sql(DB_URL, 'TRUNCATE items, items_copy_baseline');
      await sql(DB_URL, 'CHECKPOINT');
      if (kind === 'ingest') {
        const data = await graphql(port, apiKey, create, {
          input: {
            name: `bench ${run}`,
            labelSchema: { kind: 'SINGLE_CHOICE', classes: CLASSES },
            answersPerItem: 3,
            itemsPerTask: 10,
            rewardPerAnswer: '0.01',
          },
        });
        const id = (data.createDataset as { id: string }).id;
        const t0 = performance.now();
        const res = await postFile({
          port,
          path: `/datasets/${id}/items`,
          file: files.ndjson,
          headers: { 'content-type': 'application/x-ndjson', 'x-api-key': apiKey },
        });
        const seconds = (performance.now() - t0) / 1000;
        const summary = JSON.parse(res.body) as { inserted: number; rejectedCount: number };
        if (res.status !== 200 || summary.inserted !== ITEMS)
          throw new Error(`ingest failed: ${res.status} ${res.body.slice(0, 300)}`);
        ingestRates.push(ITEMS / seconds);
        process.stderr.write(`run ${run + 1}: ingest ${seconds.toFixed(2)} s, ${fmt(ITEMS / seconds)} rows/s\n`);
      } else {
        const t0 = performance.now();
        execFileSync('psql', [
          DB_URL,
          '-v',
          'ON_ERROR_STOP=1',
          '-q',
          '-c',
          `\\copy items_copy_baseline (dataset_id, external_id, payload, is_gold, gold_label) FROM '${files.csv}' WITH (FORMAT csv)`,
        ]);
        const seconds = (performance.now() - t0) / 1000;
        const [{ n }] = await sql<{ n: number }>(DB_URL, 'SELECT count(*)::int AS n FROM items_copy_baseline');
        if (n !== ITEMS) throw new Error(`COPY loaded ${n} rows`);
        copyRates.push(ITEMS / seconds);
        process.stderr.write(`run ${run + 1}: COPY ${seconds.toFixed(2)} s, ${fmt(ITEMS / seconds)} rows/s\n`);
      }
    }
  }
  const stats = await ask<{ peakRss: number; idleRss: number; cpu: { user: number; system: number } }>(child, 'stats');
  child.send('stop');
  await once(child, 'exit');

  const ingest = median(ingestRates);
  const copy = median(copyRates);
  const ratio = ingest / copy;
  const paired = ingestRates.map((rate, i) => rate / copyRates[i]);
  const mib = (b: number): string => (b / 1024 / 1024).toFixed(0);
  const section = [
    '## Ingest',
    '',
    `Run: ${new Date().toISOString().slice(0, 10)}, Linux, ${cpus().length} cores, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.versions.node}, PostgreSQL ${(await sql<{ server_version: string }>(DB_URL, 'SHOW server_version'))[0].server_version} (local, default settings). \`npm run bench:ingest\` (bench/ingest.ts).`,
    `${fmt(ITEMS)} items (${(bytes / 1024 / 1024).toFixed(0)} MiB of NDJSON, ~${Math.round(bytes / ITEMS)} bytes a line, 1% gold) streamed through \`POST /datasets/:id/items\``,
    'to an api process (ROLE=api, a child process running swc-compiled JS) in one chunked request; baseline: psql `\\copy` (CSV) of the same rows into',
    '`items_copy_baseline (LIKE items INCLUDING ALL)` (same defaults, identity, unique and partial indexes). Each run starts',
    `from truncated tables and a CHECKPOINT; ${RUNS} runs each, alternating order; medians.`,
    '',
    '| path | rows/s (median) | runs (rows/s) |',
    '|---|--:|---|',
    `| \`POST /datasets/:id/items\` (NDJSON) | ${fmt(ingest)} | ${ingestRates.map(fmt).join(', ')} |`,
    `| baseline: psql \`\\copy\` | ${fmt(copy)} | ${copyRates.map(fmt).join(', ')} |`,
    '',
    `Ratio ingest / COPY (medians): **${ratio.toFixed(2)}×** (target ≥ 0.5×: ${ratio >= 0.5 ? 'met' : 'NOT met'}); paired per run (each ingest against the COPY run next to it): ${paired.map((r) => r.toFixed(2)).join(', ')}, median ${median(paired).toFixed(2)}×.`,
    `Peak RSS of the api process (VmHWM, whole run incl. boot): **${mib(stats.peakRss)} MiB** (idle after boot ${mib(stats.idleRss)} MiB; target < 300 MB: ${stats.peakRss < 300 * 1000 * 1000 ? 'met' : 'NOT met'}).`,
    `api process CPU over all runs: ${((stats.cpu.user + stats.cpu.system) / 1e6).toFixed(1)} s.`,
    '',
    'Where the time goes (measured while building this): the api is bound on PostgreSQL. With timers around the',
    'batch writes, the 5,000-row `INSERT ... SELECT ... ON CONFLICT DO NOTHING` statements took 99% of the wall time',
    'while parsing and validation of the next batch overlapped them (the api process uses a quarter of a core). What',
    'remains against COPY is the INSERT path itself: a row-at-a-time heap insert with ON CONFLICT speculative',
    'insertion (~10% by itself) and a second jsonb pass to pull each row out of the batch array. Variants measured',
    'on 300k rows: `jsonb_to_recordset` ≈ `unnest(text[])::jsonb` < `jsonb_array_elements` (used); 20,000-row batches',
    'and `synchronous_commit = off` were not faster here. A COPY write path (lock the dataset row, drop known',
    'external ids, `COPY` the rest) cut database time ~25% in a prototype but has to re-serialise every payload from',
    'JS values, silently changing integers above 2^53 and out-of-range numbers; the INSERT path hands PostgreSQL the',
    'uploaded JSON text itself (numbers kept exactly), so it was kept. Memory: a batch is one buffer of the uploaded lines in',
    "binary jsonb format (no per-row objects or strings survive into V8's old generation), so RSS stays within a few",
    'tens of MiB of the idle api; an earlier version that kept parsed rows peaked at 409 MiB. The shared machine is',
    'noisy (other test suites ran alongside): absolute rates move ±30% between runs, the same-run ratio much less.',
    '',
  ].join('\n');
  process.stdout.write(`${section}\n`);
  if (!process.argv.includes('--no-write')) {
    const file = arg('docs', join(__dirname, '..', 'docs', 'benchmarks.md'));
    writeSection(file, section);
    process.stderr.write(`wrote ${file}\n`);
  }
  await sql(`${PG}/postgres`, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
}

function writeSection(file: string, section: string): void {
  writeBenchmarkSection({ file, heading: 'Ingest', section });
}

if (process.argv.includes('--server')) {
  serve().catch((error: unknown) => {
    process.stderr.write(`api process failed: ${(error as Error).stack}\n`);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
    process.exit(1);
  });
}
