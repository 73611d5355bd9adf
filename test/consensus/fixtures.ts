import { randomBytes, randomUUID } from 'node:crypto';
import { parseConfig } from '../../src/config/config.schema';
import type { RuntimeConfig } from '../../src/config/runtime-config';
import { DataSource } from 'typeorm';
import { systemClock } from '../../src/common/clock';
import { ConsensusReadRepository } from '../../src/consensus/consensus-read.repository';
import { ConsensusWriteRepository } from '../../src/consensus/consensus-write.repository';
import { ConsensusService } from '../../src/consensus/consensus.service';
import { typeormOptions } from '../../src/database/typeorm-options';
import { DatasetLifecycleService } from '../../src/datasets/dataset-lifecycle.service';
import type { AggregationMethod } from '../../src/datasets/dataset-status';
import { DatasetsRepository } from '../../src/datasets/datasets.repository';
import { createOpenDataset, type DatasetFixture, type DatasetFixtureOptions } from '../support/fixtures';
import { createTestDatabase } from '../support/test-database';

// Consensus tests drive the tables the way the datasets and tasks flows do (split into tasks,
// accepted assignments with their answers, counters, money), by direct SQL, so aggregation can
// be tested on exactly the state it will meet.

export interface OpenDatabase {
  dataSource: DataSource;
  close(): Promise<void>;
}

/** A fresh migrated database (cloned from the test template) with a plain TypeORM DataSource. */
export async function openDatabase(): Promise<OpenDatabase> {
  const db = await createTestDatabase();
  const dataSource = await new DataSource(typeormOptions(db.url)).initialize();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
}

export interface ConsensusFixture extends DatasetFixture {
  /** Tasks of the initial split, in order, with their items. */
  tasks: { id: string; itemIds: string[] }[];
}

export async function createConsensusDataset(
  dataSource: DataSource,
  options: DatasetFixtureOptions & { targetConfidence?: number | null; aggregation?: AggregationMethod | keyof typeof AggregationMethod } = {},
): Promise<ConsensusFixture> {
  const fixture = await createOpenDataset(dataSource, options);
  await dataSource.query('UPDATE datasets SET target_confidence = $2, aggregation = $3 WHERE id = $1', [fixture.datasetId, options.targetConfidence ?? null, options.aggregation ?? 'DAWID_SKENE']);
  // The split: items in seq order, itemsPerTask a task, answersPerItem slots each.
  const [{ answers_per_item: slots, items_per_task: perTask }] = await dataSource.query('SELECT answers_per_item, items_per_task FROM datasets WHERE id = $1', [fixture.datasetId]);
  await dataSource.query('UPDATE items SET answers_wanted = $2 WHERE dataset_id = $1 AND NOT is_gold', [fixture.datasetId, slots]);
  const tasks: ConsensusFixture['tasks'] = [];
  for (let from = 0; from < fixture.regularIds.length; from += perTask) {
    const itemIds = fixture.regularIds.slice(from, from + perTask);
    const [task] = await dataSource.query('INSERT INTO tasks (dataset_id, item_ids, slots, open_slots) VALUES ($1, $2::uuid[], $3, $3) RETURNING id', [fixture.datasetId, itemIds, slots]);
    tasks.push({ id: task.id, itemIds });
  }
  return { ...fixture, tasks };
}

export async function createWorkers(dataSource: DataSource, count: number): Promise<string[]> {
  const rows: { id: string }[] = await dataSource.query(
    `INSERT INTO accounts (address) SELECT '0x' || substr(md5(random()::text || g) || md5(g::text || random()::text), 1, 40) FROM generate_series(1, $1) g RETURNING id`,
    [count],
  );
  return rows.map((r) => r.id);
}

export async function createAccount(dataSource: DataSource, roles: string[]): Promise<string> {
  const [row] = await dataSource.query(`INSERT INTO accounts (address, roles) VALUES ($1, $2::account_role[]) RETURNING id`, [`0x${randomBytes(20).toString('hex')}`, roles]);
  return row.id;
}

/** One accepted assignment of `workerId` with these answers, counted and paid as the submit path
 * does: answers stored accepted, regular items' answer_count + 1 (LABELED once they reach
 * answers_wanted), the task's slot used, committed moved to spent. */
export async function acceptAssignment(
  dataSource: DataSource,
  params: { datasetId: string; workerId: string; answers: [itemId: string, value: unknown][]; taskId?: string },
): Promise<void> {
  const { datasetId, workerId, answers } = params;
  await dataSource.transaction(async (manager) => {
    const itemIds = answers.map(([itemId]) => itemId);
    const [assignment] = await manager.query(
      `INSERT INTO assignments (task_id, dataset_id, worker_id, item_ids, status, expires_at, submitted_at) VALUES ($1, $2, $3, $4::uuid[], 'ACCEPTED', now(), now()) RETURNING id`,
      [params.taskId ?? randomUUID(), datasetId, workerId, itemIds],
    );
    await manager.query(
      `INSERT INTO answers (assignment_id, dataset_id, item_id, worker_id, value, is_gold, accepted)
       SELECT $1, $2, u.item_id, $3, u.value, i.is_gold, true FROM unnest($4::uuid[], $5::jsonb[]) AS u(item_id, value) JOIN items i ON i.id = u.item_id`,
      [assignment.id, datasetId, workerId, itemIds, answers.map(([, value]) => JSON.stringify(value))],
    );
    await manager.query(
      `UPDATE items SET answer_count = answer_count + 1,
              status = CASE WHEN status IN ('PENDING', 'IN_PROGRESS') THEN CASE WHEN answer_count + 1 >= answers_wanted THEN 'LABELED' ELSE 'IN_PROGRESS' END ELSE status END
        WHERE id = ANY($1::uuid[]) AND NOT is_gold`,
      [itemIds],
    );
    if (params.taskId) await manager.query('UPDATE tasks SET accepted_count = accepted_count + 1, open_slots = GREATEST(open_slots - 1, 0) WHERE id = $1', [params.taskId]);
    await manager.query(
      `UPDATE datasets SET committed = GREATEST(committed - reward_per_answer * $2, 0), spent = spent + reward_per_answer * $2 WHERE id = $1`,
      [datasetId, answers.length],
    );
  });
}

/** Many workers' answers at once (no tasks involved): answers[k] = [itemId, workerId, value]. */
export async function acceptAnswers(dataSource: DataSource, params: { datasetId: string; answers: (readonly [itemId: string, workerId: string, value: unknown])[] }): Promise<void> {
  const byWorker = new Map<string, [string, unknown][]>();
  for (const [itemId, workerId, value] of params.answers) {
    const list = byWorker.get(workerId) ?? [];
    list.push([itemId, value]);
    byWorker.set(workerId, list);
  }
  for (const [workerId, answers] of byWorker) await acceptAssignment(dataSource, { datasetId: params.datasetId, workerId, answers });
}

/** The service the consensus worker runs, wired by hand on a plain DataSource (the real classes,
 * nothing replaced), for tests that call it directly. */
export function consensusService(dataSource: DataSource, config: RuntimeConfig = parseConfig({}) as RuntimeConfig): ConsensusService {
  const lifecycle = new DatasetLifecycleService(dataSource, new DatasetsRepository(dataSource));
  return new ConsensusService(dataSource, new ConsensusReadRepository(), new ConsensusWriteRepository(), lifecycle, systemClock, config);
}

export interface ResultRow {
  item_id: string;
  label: unknown;
  confidence: number | null;
  answers: number;
  method: string;
  version: number;
}

export async function resultsOf(dataSource: DataSource, datasetId: string): Promise<Map<string, ResultRow>> {
  const rows: ResultRow[] = await dataSource.query('SELECT item_id, label, confidence, answers, method, version FROM item_results WHERE dataset_id = $1', [datasetId]);
  return new Map(rows.map((r) => [r.item_id, r]));
}

export { seededRandom } from '../support/seeded-random';
