import { compileForChild } from './child-build';
import { median, writeBenchmarkSection } from './report';
// Assignment engine throughput: N concurrent simulated labelers (default 200) over HTTP doing
// claimTask -> submitAssignment loops on one dataset, against a baseline measured in the same run:
// the raw dequeue rate of the same tables (`SELECT ... FOR UPDATE SKIP LOCKED` + `UPDATE` of one
// task slot per transaction) with pgbench (or N pg clients when pgbench is missing), at as many
// connections as the api's pool. Runs alternate (raw, api, raw, api, ...); medians are reported.
// Then a 1M-item dataset is split while labelers keep working, to show the split does not block.
// The api runs in a child process (ROLE=api, JavaScript compiled ahead like production).
//
//   npm run bench:assign [-- --labelers 200 --seconds 20 --runs 3 --pace 0.5 --split-items 1000000 --apis 1 --history 0 --gold 500 --gold-cap C --submit-and-next --no-write]
// --submit-and-next: loop A's labelers hand in a task and claim the next in one request (README,
// "Submit and next in one request"); without it, a claim and a submit are two requests.
// --apis N runs N api processes; labeler i talks to process i mod N (replicas behind a balancer).
// --history N: before the runs every labeler completes N claim -> submit cycles through the api on
// past datasets (400 a dataset), so loop A runs with a history behind every labeler.
// BENCH_API_NODE_ARGS passes node flags to the api process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
// BENCH_PACED_TRACE=file writes every paced claim (sent at, latency) to file.<run> (writePacedTrace).
// Needs PostgreSQL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432, trust auth) and Redis.
import 'reflect-metadata';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { JwtService } from '@nestjs/jwt';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp, migrateDatabase } from '../src/app.factory';
import { parseConfig, tokenTerms } from '../src/config/config.schema';
import { NO_CHAIN_DECIMALS } from '../src/common/money';
import { typeormOptions } from '../src/database/typeorm-options';
import { SplitRepository } from '../src/tasks/split.repository';
import { TaskSplitService } from '../src/tasks/task-split.service';
import { createOpenDataset } from '../test/support/fixtures';
import { VerdictService } from '../src/tasks/verdict.service';
import { invariantViolations } from '../test/tasks/invariants';

// The server, without a database name.
const PG = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const DB = 'labelchain_bench_assign';
const DB_URL = `${PG}/${DB}`;
// Production config refuses placeholder secrets: one random secret per run, inherited by the
// forked api process through the environment.
const SECRET = (process.env.BENCH_JWT_SECRET ??= randomBytes(32).toString('hex'));
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const LABELERS = Number(arg('labelers', '200'));
const SECONDS = Number(arg('seconds', '20'));
const RUNS = Number(arg('runs', '3'));
const SPLIT_ITEMS = Number(arg('split-items', '1000000'));
const PACE = Number(arg('pace', '0.5'));
const APIS = Number(arg('apis', '1'));
// Claim → submit cycles each labeler completes through the api on past datasets before the runs:
// the hot path measured with a history behind every labeler (invariant 11), not on a fresh database.
const HISTORY = Number(arg('history', '0'));
// --gold N --gold-cap C: loop A's datasets hold N gold items (default 500), each shown to at most C
// workers (default: no cap, as before the product always set one; 2 × maxAnswersPerItem = 6 is the
// product's default for these datasets, and then N must cover the run's claims: about claims / C).
const GOLD = Number(arg('gold', '500'));
const GOLD_CAP = process.argv.includes('--gold-cap') ? Number(arg('gold-cap', '')) : null;
const HISTORY_PER_DATASET = 400; // ≤ a past dataset's gold (openDataset): one fresh gold item a cycle
const POOL = 20; // the api's connection pool (src/database/typeorm-options.ts)
const FLOOR_SECONDS = 5; // the request floor's run
const BENCH_POOL = 4; // this process's own connections (fixtures, split, invariants)
const CLAIM_FIELD = 'claimTask(datasetId: $d) { id items { id payload } }';
const SUBMIT_FIELD = 'submitAssignment(assignmentId: $a, answers: $x) { status }';
const CLAIM = `mutation($d: ID) { ${CLAIM_FIELD} }`;
const SUBMIT = `mutation($a: ID!, $x: [AnswerInput!]!) { ${SUBMIT_FIELD} }`;
const RELEASE = 'mutation($a: ID!) { releaseAssignment(assignmentId: $a) }';
// --submit-and-next (see the top): GraphQL runs a document's mutations in order.
const SUBMIT_AND_NEXT = process.argv.includes('--submit-and-next');
const SUBMIT_AND_CLAIM = `mutation($a: ID!, $x: [AnswerInput!]!, $d: ID) { ${SUBMIT_FIELD} ${CLAIM_FIELD} }`;

// ---------- api (child process) ----------
async function serve(): Promise<void> {
  const base = parseConfig({
    NODE_ENV: 'production',
    JWT_SECRET: SECRET,
    LOG_LEVEL: 'warn',
    DB_MIGRATE_ON_BOOT: 'false',
    QUEUE_PREFIX: 'lc_bench_assign',
    PAYOUT_HOLD_SECONDS: '0',
    // Claims and submits sent together (CallBatcher); HOT_PATH_BATCH=1 measures them one by one.
    ...(process.env.HOT_PATH_BATCH ? { HOT_PATH_BATCH: process.env.HOT_PATH_BATCH } : {}),
  });
  const app = await createApp({
    ...base,
    role: 'api',
    databaseUrl: DB_URL,
    jwtSecret: SECRET,
    chain: null,
    ...tokenTerms(base, NO_CHAIN_DECIMALS),
  });
  if (!process.argv.includes('--verdicts')) {
    await app.listen(0, '127.0.0.1');
    process.send?.({ port: Number(new URL(await app.getUrl()).port) });
    process.on('message', () => void app.close().then(() => process.exit(0)));
    return;
  }
  // The verdict process: verdicts are decided after the submit (a worker's job in production, in
  // its own process with its own pool); this process decides them as the verdict jobs would — each
  // verdict request a submit left in the outbox (the submit asks once the worker's batch is due:
  // every third gold answer here), taken as the outbox dispatcher takes them — so their CPU and
  // PostgreSQL work count in a cycle's cost. (Until 2026-12-05 this loop tried every worker with a
  // pending submission every 50 ms, due or not; until 2026-12-06 it ran inside the api process,
  // where its statements queued behind the labelers' in the api's pool: on a slow host most
  // verdicts then fell after loop A and out of its cost.)
  const verdicts = app.get(VerdictService);
  const ds = app.get<DataSource>(getDataSourceToken());
  let serving = true;
  const publishing = (async () => {
    while (serving) {
      const [requests] = (await ds.query(
        `UPDATE outbox SET dispatched_at = now() WHERE id IN (
           SELECT id FROM outbox WHERE dispatched_at IS NULL AND job_name = 'tasks.decide-verdicts' ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED)
         RETURNING payload`,
      )) as [{ payload: { workerId: string; datasetId: string } }[], number];
      for (const { payload } of requests) await verdicts.decide(payload);
      await delay(50);
    }
  })();
  process.send?.({ port: 0 });
  process.on('message', () => {
    serving = false;
    void publishing.then(() => app.close()).then(() => process.exit(0));
  });
}

// ---------- labelers ----------
// node:http with a keep-alive agent, not fetch: the load generator shares the machine's two cores
// with the api and PostgreSQL, and fetch costs several times more CPU per request.
const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
function gql(
  port: number,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ data?: Record<string, unknown> | null; errors?: unknown }> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve(
              JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
                data?: Record<string, unknown> | null;
                errors?: unknown;
              },
            );
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface LoadResult {
  claims: number;
  submits: number;
  errors: number;
  seconds: number;
  latencies: number[];
  // When each claim was sent (ms since the run started), in the order of `latencies`.
  sentAt: number[];
}

// Every labeler: claim, answer (gold correctly), submit, until the deadline or nothing is left.
// With `release`, the labeler gives each task back instead: the engine without the submit path.
// With `thinkMs`, the labeler spends 0.5-1.5x that long labeling between claim and submit, as a
// person would (the paced run), and they start spread over one think time; without it they go
// flat out (the capacity runs).
async function labelers(params: {
  ports: number[];
  tokens: string[];
  datasetId: string;
  gold: Map<string, unknown>;
  seconds: number;
  stop?: () => boolean;
  release?: boolean;
  thinkMs?: number;
  cycles?: number; // per labeler; without it, until the deadline
}): Promise<LoadResult> {
  const result: LoadResult = { claims: 0, submits: 0, errors: 0, seconds: 0, latencies: [], sentAt: [] };
  const started = performance.now();
  const deadline = started + params.seconds * 1000;
  await Promise.all(
    params.tokens.map(async (token, i) => {
      const port = params.ports[i % params.ports.length];
      // Paced labelers arrive spread over one think time, not all in the same millisecond.
      if (params.thinkMs) await delay(params.thinkMs * Math.random());
      // With --submit-and-next (flat-out submits only), the hand-in waits to travel with the next claim.
      const together = SUBMIT_AND_NEXT && !params.release && !params.thinkMs;
      let handIn: { a: string; x: unknown[] } | null = null;
      const handedIn = (ok: unknown): void => void (ok ? result.submits++ : result.errors++);
      for (let n = 0; n < (params.cycles ?? Infinity) && performance.now() < deadline && !params.stop?.(); n++) {
        const t = performance.now();
        let claimed: { data?: Record<string, unknown> | null; errors?: unknown };
        if (handIn) {
          const both = await gql(port, token, SUBMIT_AND_CLAIM, { ...handIn, d: params.datasetId });
          handedIn(both.data?.submitAssignment);
          handIn = null;
          // A refused hand-in stops the claim and is counted once, as the submit's error.
          claimed = both.data?.submitAssignment ? both : {};
        } else claimed = await gql(port, token, CLAIM, { d: params.datasetId });
        result.latencies.push(performance.now() - t);
        result.sentAt.push(t - started);
        const assignment = claimed.data?.claimTask as { id: string; items: { id: string }[] } | null | undefined;
        if (!assignment) return void (claimed.errors && result.errors++);
        result.claims++;
        if (params.release) {
          if ((await gql(port, token, RELEASE, { a: assignment.id })).data?.releaseAssignment) result.submits++;
          else result.errors++;
          continue;
        }
        if (params.thinkMs) await delay(params.thinkMs * (0.5 + Math.random()));
        const answers = assignment.items.map((item) => ({ itemId: item.id, label: params.gold.get(item.id) ?? 'cat' }));
        if (together) handIn = { a: assignment.id, x: answers };
        else handedIn((await gql(port, token, SUBMIT, { a: assignment.id, x: answers })).data?.submitAssignment);
      }
      if (handIn) handedIn((await gql(port, token, SUBMIT, handIn)).data?.submitAssignment);
    }),
  );
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

// BENCH_PACED_TRACE=file writes each paced claim as "sent-at-ms latency-ms" to file.<run>: whether
// the slow claims of the tail come together (a stall of the machine) or spread (queueing).
function writePacedTrace(file: string, paced: LoadResult): void {
  writeFileSync(
    file,
    paced.sentAt.map((at, i) => `${at.toFixed(1)} ${paced.latencies[i].toFixed(2)}`).join('\n') + '\n',
  );
}

// The cheapest GraphQL request there is ({ __typename }: no resolver, no database) from the same
// client at the same concurrency: what HTTP + Fastify + Nest + Mercurius alone allow on this machine.
// A claim -> submit cycle is two requests, so half this rate bounds the cycles per second.
async function requestFloor(ports: number[], tokens: string[], seconds: number): Promise<number> {
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    tokens.map(async (token, i) => {
      while (performance.now() < deadline) {
        if ((await gql(ports[i % ports.length], token, '{ __typename }', {})).data) done++;
      }
    }),
  );
  return done / seconds;
}

// CPU seconds (user + system) used so far by the api process(es), by the verdict process, by every
// PostgreSQL process and by this load generator, from /proc (Linux). Sampled around loop A to say
// where a cycle's CPU goes.
interface CpuSample {
  api: number;
  verdicts: number;
  postgres: number;
  client: number;
}
const CPU_PARTS = { api: 'api', verdicts: 'verdicts', postgres: 'PostgreSQL', client: 'client' } as const;
type CpuPart = keyof typeof CPU_PARTS;
// A sample whose every part is valueOf(part).
const cpuFrom = (valueOf: (part: CpuPart) => number): CpuSample => ({
  api: valueOf('api'),
  verdicts: valueOf('verdicts'),
  postgres: valueOf('postgres'),
  client: valueOf('client'),
});
// "api A / verdicts V / PostgreSQL P / client C" of a cpuPer result; labelled false, the table
// cell "A / V / P / C".
const cpuParts = (c: CpuSample, digits: number, labelled = true): string =>
  (Object.keys(CPU_PARTS) as CpuPart[])
    .map((part) => `${labelled ? `${CPU_PARTS[part]} ` : ''}${fmt(c[part], digits)}`)
    .join(' / ');

// CPU milliseconds each part spent per unit of work between two samples (null off Linux).
function cpuPer(before: CpuSample | null, after: CpuSample | null, units: number): CpuSample | null {
  if (!before || !after) return null;
  return cpuFrom((part) => ((after[part] - before[part]) * 1000) / units);
}

function cpuSample(apiPids: (number | undefined)[], verdictPid: number | undefined): CpuSample | null {
  const statOf = (pid: string): string[] =>
    readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
  // utime + stime (fields 14, 15 of /proc/<pid>/stat); with `reaped`, also cutime + cstime (16,
  // 17): the CPU of children that ended and were waited for.
  const ticks = (fields: string[], reaped = false): number =>
    (Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0)) / 100;
  try {
    // Every live PostgreSQL process, and through the postmaster's reaped-children times those
    // that ended between two samples (a backend that closes would otherwise take its CPU with it).
    let postgres = 0;
    const postgresPids = new Set<string>();
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        // Backends name themselves "postgres: ..."; the postmaster runs as .../bin/postgres.
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
        if (command.startsWith('postgres') || command.endsWith('/postgres')) postgresPids.add(pid);
      } catch {
        // The process ended while we looked.
      }
    }
    for (const pid of postgresPids) {
      try {
        const fields = statOf(pid);
        const postmaster = !postgresPids.has(fields[1]); // its parent is not PostgreSQL
        postgres += ticks(fields, postmaster);
      } catch {
        // The process ended while we looked.
      }
    }
    const own = process.cpuUsage();
    return {
      api: apiPids.reduce<number>((sum, pid) => sum + (pid ? ticks(statOf(String(pid))) : 0), 0),
      verdicts: verdictPid ? ticks(statOf(String(verdictPid))) : 0,
      postgres,
      client: (own.user + own.system) / 1e6,
    };
  } catch {
    return null; // not Linux
  }
}

// The machine's CPU time so far, all of it and the part no process wanted (idle and waiting for
// the disk), from /proc/stat (Linux). Around loop A it says whether the cores were saturated: with
// 200 labelers flat out, idle time means moments when every process waited on another.
interface MachineTicks {
  total: number;
  idle: number;
}
function machineTicks(): MachineTicks | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), idle: fields[3] + fields[4] };
  } catch {
    return null; // not Linux
  }
}
const idleShare = (before: MachineTicks | null, after: MachineTicks | null): string =>
  before && after && after.total > before.total
    ? `${Math.round((100 * (after.idle - before.idle)) / (after.total - before.total))} %`
    : 'n/a';

// Updates of item rows so far and how many of them were HOT (no index entry written, the new
// version in the same page), from the cumulative statistics: sampled around loop A. A backend
// reports at most once a second, and an idle one may keep its last second's counts for up to
// 10 s, so the bench's own connections are made to report first (the split updated every item)
// and the sample after loop A waits for the api's busy backends' last report.
interface ItemUpdates {
  updates: number;
  hot: number;
  // Transaction ids handed out so far (every transaction that wrote, in every process: nothing
  // else runs on the bench's cluster): how many a cycle takes does not depend on how fast the host
  // runs that day. (pg_stat_database's commit counts lag under load: busy backends put off
  // reporting them.)
  xids: number;
}
async function itemUpdates(ds: DataSource): Promise<ItemUpdates> {
  // One statement on each of the pool's connections at once (all of them busy together), each
  // asking its backend to report as it goes idle.
  await Promise.all(
    Array.from({ length: BENCH_POOL }, () => ds.query('SELECT pg_stat_force_next_flush(), pg_sleep(0.05)')),
  );
  const [row]: { updates: string; hot: string; xids: string }[] = await ds.query(
    `SELECT n_tup_upd AS updates, n_tup_hot_upd AS hot, pg_snapshot_xmax(pg_current_snapshot())::text AS xids
       FROM pg_stat_user_tables WHERE relname = 'items'`,
  );
  return { updates: Number(row.updates), hot: Number(row.hot), xids: Number(row.xids) };
}

// Verdicts decided during loop A against submits during loop A, on the measured dataset.
async function verdictsKeptUp(ds: DataSource, datasetId: string, from: Date, to: Date): Promise<string> {
  const [row]: { submitted: number; decided: number }[] = await ds.query(
    `SELECT count(*) FILTER (WHERE submitted_at BETWEEN $2 AND $3)::int AS submitted,
            count(*) FILTER (WHERE verdict_at BETWEEN $2 AND $3)::int AS decided
       FROM assignments WHERE dataset_id = $1`,
    [datasetId, from, to],
  );
  const share = row.submitted ? Math.round((100 * row.decided) / row.submitted) : 0;
  return `loop A: ${fmt(row.decided)} verdicts decided for ${fmt(row.submitted)} submits (${share} %)`;
}

// ---------- raw baseline ----------
async function rawDequeueRate(ds: DataSource, seconds: number): Promise<{ rate: number; tool: string }> {
  const datasetId = randomUUID();
  await ds.query(
    `INSERT INTO tasks (dataset_id, item_ids, slots, open_slots) SELECT $1, '{}', 3, 3 FROM generate_series(1, 200000)`,
    [datasetId],
  );
  await ds.query('ANALYZE tasks');
  const statement = `WITH picked AS (SELECT id FROM tasks WHERE dataset_id = '${datasetId}' AND open_slots > 0 ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED) UPDATE tasks t SET open_slots = t.open_slots - 1 FROM picked WHERE t.id = picked.id`;
  try {
    execFileSync('pgbench', ['--version'], { stdio: 'ignore' });
    const script = join(tmpdir(), `assign-dequeue-${datasetId}.sql`);
    writeFileSync(script, `BEGIN;\n${statement};\nCOMMIT;\n`);
    const out = execFileSync(
      'pgbench',
      ['-n', '-f', script, '-c', String(POOL), '-j', '2', '-T', String(seconds), DB_URL],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return { rate: Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]), tool: 'pgbench' };
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: POOL }, async () => {
      const client = new Client({ connectionString: DB_URL });
      await client.connect();
      while (performance.now() < deadline) {
        await client.query('BEGIN');
        await client.query(statement);
        await client.query('COMMIT');
        done++;
      }
      await client.end();
    }),
  );
  return { rate: done / seconds, tool: `${POOL} pg clients` };
}

// ---------- orchestration ----------
function buildChild(): string {
  return compileForChild({
    name: 'assign-build',
    dirs: ['src', 'test/support', 'test/tasks'],
    files: [__filename, join(__dirname, 'report.ts'), join(__dirname, 'child-build.ts')],
  });
}

// An api process, or the process that decides verdicts in the worker's place (port 0: it serves
// no HTTP).
function startChild(role: 'api' | 'verdicts'): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(buildChild(), ['--serve', ...(role === 'verdicts' ? ['--verdicts'] : [])], {
    execArgv: (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // NODE_ENV in the process environment too, as the Dockerfile sets it: libraries read it at load
    // time (graphql-js swaps its multi-realm-checking instanceOf for a plain one in production).
    env: { ...process.env, NODE_ENV: 'production', BENCH_PG_URL: PG },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (msg: { port: number }) => resolve({ child, port: msg.port }));
    child.once('exit', (code) => reject(new Error(`${role} process exited with ${code}`)));
  });
}

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const admin = async (sql: string): Promise<void> => {
  const client = new Client({ connectionString: `${PG}/postgres` });
  await client.connect();
  await client.query(sql).finally(() => client.end());
};

// HISTORY cycles of every labeler, through the api, on past datasets of HISTORY_PER_DATASET
// cycles each; their verdicts are published as in loop A.
async function buildHistory(ds: DataSource, ports: number[], tokens: string[]): Promise<void> {
  const started = performance.now();
  for (let done = 0; done < HISTORY; done += HISTORY_PER_DATASET) {
    const cycles = Math.min(HISTORY_PER_DATASET, HISTORY - done);
    // 5 items an assignment, 3 answers an item, and room to spare.
    const past = await openDataset(ds, Math.ceil((tokens.length * cycles * 5 * 1.2) / 3));
    await past.split();
    const result = await labelers({ ports, tokens, datasetId: past.datasetId, gold: past.gold, seconds: 3600, cycles });
    if (result.errors > 0) throw new Error(`history: ${result.errors} errors`);
  }
  if (HISTORY === 0) return;
  // A database with a past is one at rest, not one just written: vacuumed and analysed as
  // autovacuum would have by then, its dirty pages written out, before anything is measured.
  await ds.query('VACUUM ANALYZE');
  await ds.query('CHECKPOINT');
  process.stderr.write(
    `history: ${HISTORY} cycles per labeler in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

async function openDataset(
  ds: DataSource,
  items: number,
  gold: { count: number; cap: number | null } = { count: 500, cap: null },
): Promise<{ datasetId: string; gold: Map<string, unknown>; split: () => Promise<number> }> {
  const fixture = await createOpenDataset(ds, {
    items,
    itemsPerTask: 5,
    answersPerItem: 3,
    gold: gold.count,
    goldExposureCap: gold.cap,
    goldPerTask: 1,
    minGoldAccuracy: 0.5,
  });
  const split = async (): Promise<number> => {
    const t = performance.now();
    await new TaskSplitService(ds, new SplitRepository()).split(fixture.datasetId);
    return performance.now() - t;
  };
  return { datasetId: fixture.datasetId, gold: fixture.goldLabels, split };
}

async function main(): Promise<void> {
  await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB}`);
  await migrateDatabase(DB_URL);
  // Never closed for idleness: a backend that ends is counted whole (its lifetime's CPU, reaped by
  // the postmaster) in the sample that follows, and the pool's 10 s idle timeout closed one that had
  // built the raw baseline's table right at the end of a 10 s loop A (~0.2 ms of PostgreSQL CPU a
  // cycle that belonged to no cycle).
  const ds = await new DataSource(
    typeormOptions(DB_URL, { extra: { max: BENCH_POOL, idleTimeoutMillis: 0 } }),
  ).initialize();
  const workers: { id: string }[] = await ds.query(
    `INSERT INTO accounts (address) SELECT '0x' || substr(md5(random()::text) || md5(random()::text), 1, 40) FROM generate_series(1, $1) RETURNING id`,
    [LABELERS],
  );
  const jwt = new JwtService({ secret: SECRET, signOptions: { algorithm: 'HS256' } });
  const tokens = workers.map((w) => jwt.sign({ sub: w.id }, { expiresIn: 3 * 3600 }));
  const apis = await Promise.all(Array.from({ length: APIS }, () => startChild('api')));
  const verdictProcess = await startChild('verdicts');
  const ports = apis.map((a) => a.port);
  const pids = apis.map((a) => a.child.pid);
  // A cycle's cost counts the verdict process too: the work the worker does for a cycle (before
  // 2026-12-06 verdicts ran inside the api process and its CPU was the api's).
  const verdictPid = verdictProcess.child.pid;
  const runs: Run[] = [];
  let tool = '';
  try {
    await buildHistory(ds, ports, tokens);
    for (let run = 0; run < RUNS; run++) {
      const baseline = await rawDequeueRate(ds, 10);
      tool = baseline.tool;
      // Enough work that nobody runs dry before the deadline.
      const dataset = await openDataset(ds, Math.max(5000, LABELERS * SECONDS * 20), { count: GOLD, cap: GOLD_CAP });
      await dataset.split();
      const crowd = { ports, tokens, datasetId: dataset.datasetId, gold: dataset.gold };
      await labelers({ ...crowd, tokens: tokens.slice(0, 10), seconds: 2 }); // warm-up
      const load = loadavg()[0];
      const floorBefore = cpuSample(pids, verdictPid);
      const floor = await requestFloor(ports, tokens, FLOOR_SECONDS);
      const floorCpu = cpuPer(floorBefore, cpuSample(pids, verdictPid), floor * FLOOR_SECONDS);
      if (floorCpu) process.stderr.write(`run ${run + 1}: floor CPU ms per request, ${cpuParts(floorCpu, 3)}\n`);
      const before = cpuSample(pids, verdictPid);
      const machineBefore = machineTicks();
      const updatesBefore = await itemUpdates(ds);
      // Marks for profilers attached from outside (perf, pg_stat_statements resets); the monotonic
      // clock in microseconds is the time base of a V8 .cpuprofile, to cut loop A out of one.
      process.stderr.write(`run ${run + 1}: loop A starts (monotonic ${process.hrtime.bigint() / 1000n} us)\n`);
      const aStart = new Date();
      const a = await labelers({ ...crowd, seconds: SECONDS });
      const aEnd = new Date();
      process.stderr.write(`run ${run + 1}: loop A ends (monotonic ${process.hrtime.bigint() / 1000n} us)\n`);
      const after = cpuSample(pids, verdictPid);
      const machineIdle = idleShare(machineBefore, machineTicks());
      await delay(1500);
      const updatesAfter = await itemUpdates(ds);
      // Loop A's cost counts the verdicts only if they kept up: a verdict process that falls behind
      // makes A look cheaper (2026-12-06: with prepared verdict statements 1,455 submissions still
      // waited at the end against 208, and A/raw rose). Batches wait for their third gold answer, so
      // somewhat under 100 % is normal (80 % on 9f7f13e).
      process.stderr.write(`run ${run + 1}: ${await verdictsKeptUp(ds, dataset.datasetId, aStart, aEnd)}\n`);
      const items = {
        updates: updatesAfter.updates - updatesBefore.updates,
        hot: updatesAfter.hot - updatesBefore.hot,
        xids: updatesAfter.xids - updatesBefore.xids,
      };
      const cpu = cpuPer(before, after, a.claims);
      const b = await labelers({ ...crowd, seconds: SECONDS / 2, release: true });
      // Paced: the same labelers, each labeling long enough that together they ask for PACE of
      // the capacity loop A just measured. Latency at a load the service can carry is what a
      // labeler feels; latency of a saturated closed loop is queueing (Little's law).
      const offered = PACE * (a.claims / a.seconds);
      const pacedBefore = cpuSample(pids, verdictPid);
      const paced = await labelers({ ...crowd, seconds: SECONDS, thinkMs: (LABELERS / offered) * 1000 });
      if (process.env.BENCH_PACED_TRACE) writePacedTrace(`${process.env.BENCH_PACED_TRACE}.${run + 1}`, paced);
      const pacedCpu = cpuPer(pacedBefore, cpuSample(pids, verdictPid), paced.claims);
      if (pacedCpu)
        process.stderr.write(
          `run ${run + 1}: paced CPU ms per cycle, ${cpuParts(pacedCpu, 2)} (loop A: ${cpu ? cpuParts(cpu, 2) : 'n/a'})\n`,
        );
      const violations = Object.keys(await invariantViolations(ds, dataset.datasetId)).length;
      runs.push({ load, raw: baseline.rate, floor, a, b, paced, offered, violations, cpu, items });
      process.stderr.write(
        `run ${run + 1}: raw ${fmt(baseline.rate)}/s, floor ${fmt(floor)} req/s, A ${fmt(rate(a))} claims/s (p99 ${fmt(pct(a.latencies, 99), 1)} ms, ${cpu ? `CPU/cycle ${cpuParts(cpu, 2)} ms, ` : ''}machine idle ${machineIdle}, item updates ${fmt(items.updates)} of which HOT ${hotShare(items)}, write transactions/cycle ${fmt(items.xids / a.claims, 2)}), B ${fmt(rate(b))}/s (p99 ${fmt(pct(b.latencies, 99), 1)} ms), paced ${fmt(rate(paced))}/s (p99 ${fmt(pct(paced.latencies, 99), 1)} ms), load ${load.toFixed(1)}, ${violations} violations, ${a.errors + b.errors + paced.errors} errors\n`,
      );
    }
    // The 1M split while 50 labelers work on another dataset: claim latency during vs. before.
    const busy = await openDataset(ds, 50_000);
    await busy.split();
    const big = await openDataset(ds, SPLIT_ITEMS);
    const half = Math.max(1, Math.floor(tokens.length / 2));
    const group = Math.min(50, half);
    const quiet = await labelers({
      ports,
      tokens: tokens.slice(0, group),
      datasetId: busy.datasetId,
      gold: busy.gold,
      seconds: 5,
    });
    let splitting = true;
    const splitting$ = big.split().finally(() => (splitting = false));
    const during = await labelers({
      ports,
      tokens: tokens.slice(half, half + group),
      datasetId: busy.datasetId,
      gold: busy.gold,
      seconds: 600,
      stop: () => !splitting,
    });
    const splitMs = await splitting$;
    const section = report({ runs, tool, quiet, during, splitMs });
    process.stdout.write(`${section}\n`);
    if (!process.argv.includes('--no-write'))
      writeSection(arg('docs', join(__dirname, '..', 'docs', 'benchmarks.md')), section);
  } finally {
    for (const api of [...apis, verdictProcess]) api.child.send('stop');
    await ds.destroy();
  }
  await Promise.all([...apis, verdictProcess].map((api) => new Promise((r) => api.child.once('exit', r))));
  // BENCH_KEEP_DB=1 leaves the database for a look afterwards (EXPLAIN, perf on one backend).
  if (!process.env.BENCH_KEEP_DB) await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
}

interface Run {
  load: number;
  raw: number;
  floor: number;
  a: LoadResult;
  b: LoadResult;
  paced: LoadResult;
  offered: number;
  violations: number;
  cpu: CpuSample | null;
  items: ItemUpdates;
}

const rate = (r: LoadResult): number => r.claims / r.seconds;
const hotShare = (u: ItemUpdates): string => (u.updates ? `${Math.round((100 * u.hot) / u.updates)} %` : 'n/a');
// The CPU a whole cycle (client + api + PostgreSQL) may use for the 0.3x target: every core of the
// machine, shared by 0.3 x raw cycles per second.
const budget = (x: Run): number => (cpus().length * 1000) / (0.3 * x.raw);

function report(r: { runs: Run[]; tool: string; quiet: LoadResult; during: LoadResult; splitMs: number }): string {
  const m = (f: (x: Run) => number): number => median(r.runs.map(f));
  const ratio = m((x) => rate(x.a) / x.raw);
  const ceiling = m((x) => x.floor / 2 / x.raw);
  const pacedP99 = m((x) => pct(x.paced.latencies, 99));
  const violations = r.runs.reduce((n, x) => n + x.violations, 0);
  const medianCpu = r.runs.every((x) => x.cpu !== null) ? cpuFrom((part) => m((x) => x.cpu![part])) : null;
  const latency = (x: LoadResult): string => `${fmt(pct(x.latencies, 50), 1)} / ${fmt(pct(x.latencies, 99), 1)}`;
  const row = (x: Run, i: number): string =>
    `| ${i + 1} | ${x.load.toFixed(1)} | ${fmt(x.raw)} | ${fmt(x.floor)} (${(x.floor / 2 / x.raw).toFixed(3)}×) | ${fmt(rate(x.a))} (${(rate(x.a) / x.raw).toFixed(3)}×) | ${latency(x.a)} | ${x.cpu ? `${cpuParts(x.cpu, 2, false)} (budget ${fmt(budget(x), 1)})` : 'n/a'} | ${fmt(x.items.updates)} (${hotShare(x.items)}) | ${fmt(x.items.xids / x.a.claims, 2)} | ${fmt(rate(x.b))} (${(rate(x.b) / x.raw).toFixed(3)}×) | ${latency(x.b)} | ${fmt(x.offered)} → ${fmt(rate(x.paced))} | ${latency(x.paced)} | ${x.violations} | ${x.a.errors + x.b.errors + x.paced.errors} |`;
  return [
    '## Assign',
    '',
    `Run: ${new Date().toISOString().slice(0, 10)}, Linux, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}. \`npm run bench:assign\` (bench/assign.ts): ${LABELERS} concurrent`,
    `labelers over HTTP (node:http, keep-alive) on ${APIS === 1 ? 'one api process' : `${APIS} api processes (labeler i on process i mod ${APIS})`} (ROLE=api, compiled JS, pool ${POOL} each) on a fresh dataset (5 items + 1 gold`,
    `per assignment, 3 answers per item${HISTORY > 0 ? `; before the runs every labeler completed ${HISTORY} such cycles on past datasets, through the api` : ''}), all on this one machine. Per run, in order: the raw baseline (one task slot per transaction on the`,
    `same \`tasks\` table, \`SELECT ... FOR UPDATE SKIP LOCKED\` + \`UPDATE\`, ${r.tool} with ${POOL} connections, 10 s); the request floor`,
    `(\`{ __typename }\` flat out from the same client, 5 s; a cycle is two requests, so floor / 2 / raw is the best ratio this stack could`,
    `reach here with zero work per request); A: claimTask → submitAssignment flat out for ${SECONDS} s (every submit accepted and paid${SUBMIT_AND_NEXT ? '; each submit and the next claim in one request, --submit-and-next' : ''});`,
    `B: claimTask → releaseAssignment flat out for ${SECONDS / 2} s; paced: the same labelers each labeling 0.5–1.5× a think time chosen so`,
    `that together they ask for ${PACE}× of A's rate, for ${SECONDS} s. "load" is the 1-minute load average at the start of the run.`,
    `"A: CPU" is CPU time (user + system, from /proc) of the api process(es), of the verdict process (which decides verdicts in the worker's place, with its own pool), of all PostgreSQL processes and of this load generator during`,
    `loop A, per claimed cycle; "item updates (HOT)" counts updates of item rows during loop A and the share that were HOT; "write transactions per cycle" counts the transaction ids handed out during loop A (every transaction that wrote, in every process) per claimed cycle; "budget" is what a whole cycle may use for the 0.3× target on this machine: ${cpus().length} cores / (0.3 × raw).`,
    '',
    '| run | load | raw dequeues/s | floor req/s (floor/2/raw) | A: claims/s (ratio) | A: claim p50 / p99 ms | A: CPU ms per cycle, api / verdicts / PostgreSQL / client | A: item updates (HOT) | A: write transactions per cycle | B: claims/s (ratio) | B: claim p50 / p99 ms | paced: asked → got claims/s | paced: claim p50 / p99 ms | invariant violations | errors |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...r.runs.map(row),
    `| **median** | | **${fmt(m((x) => x.raw))}** | **${fmt(m((x) => x.floor))} (${ceiling.toFixed(3)}×)** | **${fmt(m((x) => rate(x.a)))} (${ratio.toFixed(3)}×)** | **${fmt(
      m((x) => pct(x.a.latencies, 50)),
      1,
    )} / ${fmt(
      m((x) => pct(x.a.latencies, 99)),
      1,
    )}** | ${medianCpu ? `**${cpuParts(medianCpu, 2, false)} (budget ${fmt(m(budget), 1)})**` : ''} | | **${fmt(
      m((x) => x.items.xids / x.a.claims),
      2,
    )}** | **${fmt(m((x) => rate(x.b)))} (${m((x) => rate(x.b) / x.raw).toFixed(3)}×)** | **${fmt(
      m((x) => pct(x.b.latencies, 50)),
      1,
    )} / ${fmt(
      m((x) => pct(x.b.latencies, 99)),
      1,
    )}** | **${fmt(m((x) => x.offered))} → ${fmt(m((x) => rate(x.paced)))}** | **${fmt(
      m((x) => pct(x.paced.latencies, 50)),
      1,
    )} / ${fmt(pacedP99, 1)}** | **${violations}** | |`,
    '',
    `Targets: ≥ 0.3× raw — ${ratio >= 0.3 ? 'met' : 'NOT met'} (A ${ratio.toFixed(3)}×; the bare request floor alone allows ${ceiling.toFixed(3)}×${
      medianCpu
        ? `; a cycle costs ${fmt(medianCpu.api + medianCpu.verdicts, 2)} ms of api and verdict CPU and ${fmt(
            medianCpu.postgres,
            2,
          )} ms of PostgreSQL CPU against a whole-cycle budget of ${fmt(m(budget), 1)} ms`
        : ''
    }); p99 claim < 50 ms — ${pacedP99 < 50 ? 'met' : 'NOT met'} at ${PACE}× of capacity (${fmt(pacedP99, 1)} ms; flat out it is queueing: A ${fmt(
      m((x) => pct(x.a.latencies, 99)),
      1,
    )} ms); zero invariant violations — ${violations === 0 ? 'met' : 'NOT met'}.`,
    '',
    `Split of ${fmt(SPLIT_ITEMS)} items into tasks: ${fmt(r.splitMs / 1000, 1)} s (batches of 20,000 items, one transaction each). Claim latency of`,
    `${r.quiet.latencies.length ? 'labelers' : 'no labelers'} on another dataset before / during the split: p50 ${fmt(pct(r.quiet.latencies, 50) ?? 0, 1)} / ${fmt(pct(r.during.latencies, 50) ?? 0, 1)} ms, p99 ${fmt(pct(r.quiet.latencies, 99) ?? 0, 1)} / ${fmt(pct(r.during.latencies, 99) ?? 0, 1)} ms`,
    `(${fmt(rate(r.quiet))} / ${fmt(rate(r.during))} claims/s).`,
    '',
  ].join('\n');
}

function writeSection(file: string, section: string): void {
  writeBenchmarkSection({ file, heading: 'Assign', section });
  process.stderr.write(`wrote ${file}\n`);
}

const entry = process.argv.includes('--serve') ? serve : main;
entry().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
