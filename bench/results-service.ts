// The consensus service against PostgreSQL, each part against a baseline measured in the same run:
//  1. full aggregation (Dawid-Skene, K=4): ConsensusService.aggregateDataset (stream answers out
//     of PostgreSQL, run DS, upsert item_results, worker_stats, dataset_consensus) vs the pure
//     aggregate() on the same answers already in memory;
//  2. export: GET /datasets/:id/export's streaming code (ResultsExportRepository, CSV) into a
//     byte-counting sink vs `COPY (same SELECT) TO STDOUT WITH CSV` (pg-copy-streams), with the
//     RSS growth of this process sampled during the export (memory must stay flat).
//
//   npm run bench:results-service [-- --items 1000000 --answers-items 100000 --runs 3]
// Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres).
import { parseConfig } from '../src/config/config.schema';
import type { RuntimeConfig } from '../src/config/runtime-config';
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { migrateDatabase } from '../src/app.factory';
import { systemClock } from '../src/common/clock';
import { aggregate, createAnswerEncoder } from '../src/consensus';
import { ConsensusReadRepository } from '../src/consensus/consensus-read.repository';
import { ConsensusWriteRepository } from '../src/consensus/consensus-write.repository';
import { ConsensusService } from '../src/consensus/consensus.service';
import { typeormOptions } from '../src/database/typeorm-options';
import { DatasetLifecycleService } from '../src/datasets/dataset-lifecycle.service';
import { DatasetsRepository } from '../src/datasets/datasets.repository';
import { ResultsExportRepository } from '../src/results/results-export.repository';
import { median } from './report';
import { NO_CHAIN_DECIMALS } from '../src/common/money';

const PG = 'postgres://postgres@127.0.0.1:5432';
const DB = 'labelchain_bench_results';
const arg = (name: string, fallback: string): number => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 ? process.argv[i + 1] : fallback);
};
const EXPORT_ITEMS = arg('items', '1000000');
const DS_ITEMS = arg('answers-items', '100000');
const ANSWERS_PER_ITEM = 5;
const RUNS = arg('runs', '3');

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: `${PG}/postgres` });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function createDataset(ds: DataSource, items: number): Promise<string> {
  const [owner] = await ds.query(
    `INSERT INTO accounts (address) VALUES ('0x' || substr(md5(random()::text), 1, 40)) RETURNING id`,
  );
  const [d] = await ds.query(
    `INSERT INTO datasets (owner_id, name, label_schema, answers_per_item, max_answers_per_item, items_per_task, reward_per_answer, status, deposit_key, item_count)
     VALUES ($1, 'bench', '{"kind":"SINGLE_CHOICE","classes":["a","b","c","d"]}', ${ANSWERS_PER_ITEM}, ${ANSWERS_PER_ITEM}, 10, 1, 'OPEN', '0x' || md5(random()::text) || md5(random()::text), $2) RETURNING id`,
    [owner.id, items],
  );
  await ds.query(
    `INSERT INTO items (dataset_id, external_id, payload, answer_count, answers_wanted) SELECT $1, 'r' || g, '{}', 0, ${ANSWERS_PER_ITEM} FROM generate_series(1, $2) g ORDER BY g`,
    [d.id, items],
  );
  return d.id;
}

async function benchAggregation(ds: DataSource): Promise<string[]> {
  const datasetId = await createDataset(ds, DS_ITEMS);
  // 50 workers of accuracy 0.55..0.95; each item answered by 5 consecutive workers.
  await ds.query(
    `INSERT INTO accounts (address) SELECT '0x' || lpad(to_hex(g), 40, '0') FROM generate_series(1, 50) g`,
  );
  await ds.query(
    `INSERT INTO answers (assignment_id, dataset_id, item_id, worker_id, value, accepted)
     SELECT gen_random_uuid(), $1, i.id, w.id,
            to_jsonb((ARRAY['a','b','c','d'])[CASE WHEN random() < 0.55 + 0.4 * (w.n % 50) / 49.0 THEN 1 + i.seq % 4 ELSE 1 + floor(random() * 4)::int END]), true
       FROM items i CROSS JOIN generate_series(0, ${ANSWERS_PER_ITEM - 1}) k
       JOIN (SELECT id, row_number() OVER (ORDER BY address) - 1 AS n FROM accounts WHERE address LIKE '0x000%') w ON w.n = (i.seq + k) % 50
      WHERE i.dataset_id = $1`,
    [datasetId],
  );
  // As the submit path leaves them: every answer in, marked LABELED, consensus still to confirm.
  await ds.query(`UPDATE items SET answer_count = ${ANSWERS_PER_ITEM}, status = 'LABELED' WHERE dataset_id = $1`, [
    datasetId,
  ]);
  await ds.query('ANALYZE');
  const rows: { item_id: string; worker_id: string; value: string }[] = await ds.query(
    "SELECT item_id, worker_id, value #>> '{}' AS value FROM answers WHERE dataset_id = $1",
    [datasetId],
  );
  const service = new ConsensusService(
    ds,
    new ConsensusReadRepository(),
    new ConsensusWriteRepository(),
    new DatasetLifecycleService(ds, new DatasetsRepository(ds), { tokenDecimals: NO_CHAIN_DECIMALS }),
    systemClock,
    parseConfig({}) as RuntimeConfig,
  );
  const serviceMs: number[] = [],
    pureMs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await ds.query('DELETE FROM item_results WHERE dataset_id = $1', [datasetId]); // every run writes every row
    let t = performance.now();
    await service.aggregateDataset(datasetId);
    serviceMs.push(performance.now() - t);
    t = performance.now();
    const encoder = createAnswerEncoder({ classes: ['a', 'b', 'c', 'd'] });
    for (const r of rows) encoder.add(r.item_id, r.worker_id, r.value);
    const encoded = encoder.build();
    aggregate({ method: 'ds', matrix: encoded.matrix, gold: encoded.gold });
    pureMs.push(performance.now() - t);
  }
  const s = median(serviceMs),
    p = median(pureMs);
  return [
    `| full aggregation, ${(DS_ITEMS * ANSWERS_PER_ITEM).toLocaleString('en-US')} answers / ${DS_ITEMS.toLocaleString('en-US')} items (DS, K=4) | ${(s / 1000).toFixed(2)} s | pure aggregate() in memory: ${(p / 1000).toFixed(2)} s | ${(s / p).toFixed(2)}× |`,
  ];
}

async function benchExport(ds: DataSource): Promise<string[]> {
  const datasetId = await createDataset(ds, EXPORT_ITEMS);
  await ds.query(
    `INSERT INTO item_results (item_id, dataset_id, label, confidence, answers, method) SELECT id, dataset_id, '"b"', random(), 5, 'DAWID_SKENE' FROM items WHERE dataset_id = $1`,
    [datasetId],
  );
  const exporter = new ResultsExportRepository(ds);
  const sink = (): { out: Writable; bytes: () => number } => {
    let n = 0;
    return {
      out: new Writable({
        write: (chunk: Buffer, _e, done) => {
          n += chunk.length;
          done();
        },
      }),
      bytes: () => n,
    };
  };
  const exportMs: number[] = [],
    copyMs: number[] = [],
    growth: number[] = [];
  let exportBytes = 0,
    copyBytes = 0;
  for (let run = 0; run < RUNS; run++) {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const a = sink();
    let t = performance.now();
    await exporter.streamTo({ datasetId, format: 'csv', out: a.out });
    exportMs.push(performance.now() - t);
    clearInterval(sampler);
    growth.push(peak - before);
    exportBytes = a.bytes();
    const client = new Client({ connectionString: `${PG}/${DB}` });
    await client.connect();
    const b = sink();
    t = performance.now();
    await pipeline(
      client.query(
        copyTo(
          `COPY (SELECT i.external_id, r.label #>> '{}', r.confidence, COALESCE(r.answers, i.answer_count), i.status, r.method, i.id FROM items i LEFT JOIN item_results r ON r.item_id = i.id WHERE i.dataset_id = '${datasetId}' AND NOT i.is_gold ORDER BY i.seq) TO STDOUT WITH CSV`,
        ),
      ),
      b.out,
    );
    copyMs.push(performance.now() - t);
    copyBytes = b.bytes();
    await client.end();
  }
  const e = median(exportMs),
    c = median(copyMs);
  const rate = (ms: number): string => `${Math.round(EXPORT_ITEMS / (ms / 1000)).toLocaleString('en-US')} rows/s`;
  return [
    `| export CSV, ${EXPORT_ITEMS.toLocaleString('en-US')} items (${(exportBytes / 1e6).toFixed(0)} MB) | ${(e / 1000).toFixed(2)} s, ${rate(e)} | COPY TO STDOUT (${(copyBytes / 1e6).toFixed(0)} MB): ${(c / 1000).toFixed(2)} s, ${rate(c)} | ${(c / e).toFixed(2)}× COPY's rate |`,
    `| export RSS growth while streaming (max of ${RUNS} runs) | ${(Math.max(...growth) / 1e6).toFixed(0)} MB | — | — |`,
  ];
}

async function main(): Promise<void> {
  await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB}`);
  await migrateDatabase(`${PG}/${DB}`);
  const ds = await new DataSource(typeormOptions(`${PG}/${DB}`, { logging: false })).initialize();
  try {
    const lines = [
      '| what | this code | baseline (same run) | ratio |',
      '|---|--:|--:|--:|',
      ...(await benchAggregation(ds)),
      ...(await benchExport(ds)),
    ];
    console.log(`median of ${RUNS} runs\n${lines.join('\n')}`);
  } finally {
    await ds.destroy();
    await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
