// Payout throughput end to end on the dev chain: recipients paid per minute from matured
// ledger earnings to CONFIRMED batches (build batches → outbox → bull send jobs → signed
// payBatchPacked → receipt → confirmed), in one app process (ROLE=all) against a real
// PostgreSQL, Redis and a Hardhat dev chain (automine, 1 confirmation) running in its own
// process, as docker-compose runs it (in one process the EVM would stall the app's event loop).
// Baseline, same run, same chain: the same number of fresh recipients paid by sending
// payBatchPacked transactions of the same size straight from a script (no database, no
// queue): what the chain alone allows. Median of RUNS runs, fresh recipients every run.
//
//   npm run bench:payout-throughput        (writes "Payout throughput" in docs/benchmarks.md)
//   RECIPIENTS=2000 RUNS=1 npm run bench:payout-throughput   (quick look, no docs write)
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { NonceManager, Wallet, keccak256, toUtf8Bytes } from 'ethers';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { createApp, migrateDatabase } from '../src/app.factory';
import { connectPayoutVault, packBatch, projectRoot, type PayoutVaultContract } from '../src/chain/contracts';
import { DEV_CHAIN_ID, DEV_KEYS, deployDevContracts, startDevChain, type DevContracts } from '../src/chain/dev-chain';
import { parseConfig, tokenTerms } from '../src/config/config.schema';
import type { RuntimeConfig } from '../src/config/runtime-config';
import { BatchBuilderService } from '../src/payouts/batch-builder.service';
import { testChainAt, type TestChain } from '../test/chain/test-chain';
import { median, writeBenchmarkSection } from './report';

const RECIPIENTS = Number(process.env.RECIPIENTS ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 3);
const BATCH = 500;
const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TOKEN = 10n ** 18n;

const freshAddresses = (n: number): string[] => Array.from({ length: n }, () => `0x${randomBytes(20).toString('hex')}`);

async function withAdmin<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: PG });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Two matured earnings for each account (new accounts when ids is null); returns the ids. */
async function seedLedger(dataSource: DataSource, ids: string[] | null): Promise<string[]> {
  const accounts =
    ids ??
    (
      (await dataSource.query(`INSERT INTO accounts (address) SELECT unnest($1::text[]) RETURNING id`, [
        freshAddresses(RECIPIENTS),
      ])) as { id: string }[]
    ).map((r) => r.id);
  await dataSource.query(
    `WITH e AS (SELECT a.id, gen_random_uuid() AS assignment, 1 + (random() * 500)::int AS cents FROM unnest($1::uuid[]) AS a(id) CROSS JOIN generate_series(1, 2))
     INSERT INTO ledger_entries (account_id, kind, amount, dataset_id, assignment_id, available_at, idempotency_key)
     SELECT e.id, 'EARNING', (10::numeric ^ 16) * e.cents, $2::uuid, e.assignment, now() - interval '1 minute', 'earning:' || e.assignment FROM e`,
    [accounts, randomUUID()],
  );
  return accounts;
}

interface Timing {
  seconds: number;
  batches: number;
  buildSeconds: number;
}

/** From building the batches until every one of them is CONFIRMED in the database. */
async function endToEnd(dataSource: DataSource, builder: BatchBuilderService): Promise<Timing> {
  const started = process.hrtime.bigint();
  const batches = await builder.buildAll();
  const built = process.hrtime.bigint();
  const ids = batches.map((b) => b.id);
  for (;;) {
    const [{ n, failed }] = (await dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'CONFIRMED')::int AS n, count(*) FILTER (WHERE status = 'FAILED')::int AS failed FROM payout_batches WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { n: number; failed: number }[];
    if (failed > 0) throw new Error('a payout batch FAILED during the benchmark');
    if (n === ids.length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    batches: ids.length,
    buildSeconds: Number(built - started) / 1e9,
  };
}

/** The same kind of payouts sent straight to the vault, one transaction after the other. */
async function rawChain(
  vault: PayoutVaultContract,
  signer: NonceManager,
  addresses: string[],
): Promise<{ seconds: number; gas: bigint }> {
  const started = process.hrtime.bigint();
  let gas = 0n;
  for (let i = 0; i < addresses.length; i += BATCH) {
    const packed = packBatch(
      addresses.slice(i, i + BATCH).map((a, j) => ({ recipient: a, amount: 10n ** 16n * BigInt(1 + ((i + j) % 500)) })),
    )!;
    const tx = await (vault.connect(signer) as PayoutVaultContract).payBatchPacked(
      keccak256(toUtf8Bytes(randomUUID())),
      keccak256(toUtf8Bytes('raw')),
      packed.unit,
      packed.width,
      packed.packed,
    );
    gas += (await tx.wait())?.gasUsed ?? 0n;
  }
  signer.reset(); // the app signs with the same key next
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, gas };
}

interface Row {
  holders: 'fresh' | 'existing';
  e2e: Timing;
  raw: number;
  gas: bigint;
}

/** `--serve-chain`: this file as the chain process; prints one JSON line, runs until stdin closes. */
async function serveChain(): Promise<void> {
  const chain = await startDevChain({ port: 0 });
  const contracts = await deployDevContracts({ rpcUrl: chain.rpcUrl, deployerKey: DEV_KEYS[0] });
  process.stdout.write(`${JSON.stringify({ rpcUrl: chain.rpcUrl, contracts })}\n`);
  process.stdin.resume();
  await once(process.stdin, 'end');
  await chain.close();
}

async function chainProcess(): Promise<TestChain> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', __filename, '--serve-chain'], {
    cwd: projectRoot(),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { rpcUrl, contracts } = JSON.parse(line) as { rpcUrl: string; contracts: DevContracts };
  const close = async (): Promise<void> => {
    child.stdin?.end();
    await once(child, 'exit');
  };
  return testChainAt({
    chain: {
      rpcUrl,
      chainId: DEV_CHAIN_ID,
      provider: { request: () => Promise.reject(new Error('remote chain')) },
      close,
    },
    contracts,
  });
}

async function main(): Promise<void> {
  const dbName = `lc_bench_payouts_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${dbName}`));
  const url = new URL(PG);
  url.pathname = `/${dbName}`;
  await migrateDatabase(url.toString());
  const chain = await chainProcess();
  const base = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PAYOUT_INTERVAL_SECONDS: '0',
    PAYOUT_RECONCILE_SECONDS: '5',
    DEPOSIT_POLL_SECONDS: '0',
    PAYOUT_HOLD_SECONDS: '0',
    PAYOUT_MIN_AMOUNT: '0.01',
  });
  const config: RuntimeConfig = {
    ...base,
    role: 'all',
    dbMigrateOnBoot: false,
    databaseUrl: url.toString(),
    jwtSecret: 'bench-secret-'.padEnd(40, 'x'),
    queuePrefix: `lc_bench_${randomBytes(4).toString('hex')}`,
    chain: chain.settings,
    ...tokenTerms(base, chain.settings.tokenDecimals),
  };
  const app = await createApp(config);
  await app.init();
  try {
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const builder = app.get(BatchBuilderService);
    await chain.fundVault(BigInt(RUNS) * BigInt(RECIPIENTS) * 40n * TOKEN);
    const signer = new NonceManager(new Wallet(DEV_KEYS[1], chain.provider)); // the operator, like the app
    const vault = connectPayoutVault(chain.contracts.vaultAddress, chain.provider);
    const rows: Row[] = [];
    for (let run = 1; run <= RUNS; run++) {
      // Fresh holders: new labelers, never paid (the token writes a new balance slot each).
      const accounts = await seedLedger(dataSource, null);
      const rawAddresses = freshAddresses(RECIPIENTS);
      const rawFresh = await rawChain(vault, signer, rawAddresses);
      rows.push({
        holders: 'fresh',
        e2e: await endToEnd(dataSource, builder),
        raw: rawFresh.seconds,
        gas: rawFresh.gas,
      });
      // Existing holders: the same labelers paid again, as returning labelers are.
      await seedLedger(dataSource, accounts);
      const rawExisting = await rawChain(vault, signer, rawAddresses);
      rows.push({
        holders: 'existing',
        e2e: await endToEnd(dataSource, builder),
        raw: rawExisting.seconds,
        gas: rawExisting.gas,
      });
      for (const r of rows.slice(-2))
        process.stdout.write(
          `run ${run} ${r.holders}: end to end ${r.e2e.seconds.toFixed(2)} s (${r.e2e.batches} batches, built in ${r.e2e.buildSeconds.toFixed(2)} s), raw chain ${r.raw.toFixed(2)} s\n`,
        );
    }
    const perMin = (seconds: number): string => Math.round((RECIPIENTS / seconds) * 60).toLocaleString('en-US');
    const summary = (holders: Row['holders']): { e2e: number; raw: number; gas: bigint } => {
      const of = rows.filter((r) => r.holders === holders);
      return { e2e: median(of.map((r) => r.e2e.seconds)), raw: median(of.map((r) => r.raw)), gas: of[0].gas };
    };
    const fresh = summary('fresh');
    const existing = summary('existing');
    const lines = [
      '## Payout throughput',
      '',
      `Run: ${new Date().toISOString().slice(0, 10)}, Linux, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}. \`npm run bench:payout-throughput\``,
      `(bench/payout-throughput.ts): ${RECIPIENTS.toLocaleString('en-US')} recipients a payout, two matured earnings each; ${RUNS} runs, each paying ${RECIPIENTS.toLocaleString('en-US')} new labelers`,
      '(fresh holders) and then the same labelers again (existing holders); medians. One app process, ROLE=all, real',
      'PostgreSQL and Redis; the Hardhat dev chain in its own process (automine, CHAIN_CONFIRMATIONS=1);',
      'PAYOUT_MAX_RECIPIENTS=500, `payBatchPacked`. End to end = from `runPayouts` (batch building) until every',
      'batch is CONFIRMED in the database: outbox → bull `payouts.send-batch` jobs (concurrency 4) → sign under the',
      'signer lock → broadcast → receipt → confirm. Baseline, same run and chain: as many recipients paid by a script',
      "sending the same `payBatchPacked` transactions one after the other (no database, no queue): the chain's own limit.",
      '',
      '| run | holders | end to end (s) | recipients/min | batches | building (s) | raw chain (s) | raw recipients/min | ratio e2e / raw |',
      '|--:|---|--:|--:|--:|--:|--:|--:|--:|',
      ...rows.map(
        (r, i) =>
          `| ${Math.floor(i / 2) + 1} | ${r.holders} | ${r.e2e.seconds.toFixed(2)} | ${perMin(r.e2e.seconds)} | ${r.e2e.batches} | ${r.e2e.buildSeconds.toFixed(2)} | ${r.raw.toFixed(2)} | ${perMin(r.raw)} | ${(r.raw / r.e2e.seconds).toFixed(2)}× |`,
      ),
      `| **median** | fresh | **${fresh.e2e.toFixed(2)}** | **${perMin(fresh.e2e)}** | | | **${fresh.raw.toFixed(2)}** | **${perMin(fresh.raw)}** | **${(fresh.raw / fresh.e2e).toFixed(2)}×** |`,
      `| **median** | existing | **${existing.e2e.toFixed(2)}** | **${perMin(existing.e2e)}** | | | **${existing.raw.toFixed(2)}** | **${perMin(existing.raw)}** | **${(existing.raw / existing.e2e).toFixed(2)}×** |`,
      '',
      `Target ≥ 10,000 recipients/min end to end: fresh holders ${perMin(fresh.e2e)}/min, existing holders ${perMin(existing.e2e)}/min.`,
      `Gas a recipient (raw): fresh ${(fresh.gas / BigInt(RECIPIENTS)).toLocaleString('en-US')}, existing ${(existing.gas / BigInt(RECIPIENTS)).toLocaleString('en-US')}. The end-to-end rate is bounded by`,
      'the chain (Hardhat takes ~1 s a 500-recipient block, fresh or existing holders alike): the service keeps up with it.',
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (RECIPIENTS >= 10_000 && RUNS >= 3)
      writeBenchmarkSection({
        file: join(projectRoot(), 'docs', 'benchmarks.md'),
        heading: 'Payout throughput',
        section: lines.join('\n'),
      });
  } finally {
    await app.close();
    await chain.close();
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  }
}

(process.argv.includes('--serve-chain') ? serveChain() : main()).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  },
);
