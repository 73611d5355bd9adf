import { randomBytes } from 'node:crypto';
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
import { WorkerStatsRepository } from '../../src/quality/worker-stats.repository';
import { AssignmentsRepository } from '../../src/tasks/assignments.repository';
import { SplitRepository } from '../../src/tasks/split.repository';
import { SubmissionRepository } from '../../src/tasks/submission.repository';
import { SubmissionService } from '../../src/tasks/submission.service';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { VerdictRepository } from '../../src/tasks/verdict.repository';
import { VerdictService } from '../../src/tasks/verdict.service';
import { createOpenDataset, type DatasetFixture, type DatasetFixtureOptions } from '../support/fixtures';
import { createTestDatabase } from '../support/test-database';

// Consensus tests build the state aggregation meets through the product's own write paths: the
// real split into tasks, then per accepted assignment the real submit (SubmissionService: answers,
// gold score, the worker's pending counters) and the real verdict (VerdictService: counters, spend
// stripes, earning, worker stats). Only the lease itself is written here, because claim_task picks
// a random task and the tests need a given worker on a given task.

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
  // One item a task unless told otherwise: any answer matrix then maps onto whole tasks.
  const fixture = await createOpenDataset(dataSource, { itemsPerTask: 1, ...options });
  await dataSource.query('UPDATE datasets SET target_confidence = $2, aggregation = $3 WHERE id = $1', [fixture.datasetId, options.targetConfidence ?? null, options.aggregation ?? 'DAWID_SKENE']);
  await new TaskSplitService(dataSource, new SplitRepository()).split(fixture.datasetId);
  const tasks: { id: string; item_ids: string[] }[] = await dataSource.query('SELECT id, item_ids FROM tasks WHERE dataset_id = $1 ORDER BY seq', [fixture.datasetId]);
  return { ...fixture, tasks: tasks.map((t) => ({ id: t.id, itemIds: t.item_ids })) };
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

/** One accepted assignment of `workerId` on a task (the one holding these regular items, or
 * `taskId`), with these answers: every item of the task, plus any gold items answered, which ride
 * along as the assignment's gold. Leased as claim_task would, then submitted and decided by the
 * real services; throws if the product refuses the submission or does not accept it. */
export async function acceptAssignment(
  dataSource: DataSource,
  params: { datasetId: string; workerId: string; answers: [itemId: string, value: unknown][]; taskId?: string },
): Promise<void> {
  const { datasetId, workerId, answers } = params;
  const itemIds = answers.map(([itemId]) => itemId);
  const [task] = await dataSource.query(
    `SELECT t.id, t.item_ids, d.lease_seconds, ARRAY(SELECT i.id FROM items i WHERE i.id = ANY ($3::uuid[]) AND i.is_gold) AS gold
       FROM tasks t JOIN datasets d ON d.id = t.dataset_id
      WHERE t.dataset_id = $1 AND ($2::uuid IS NULL OR t.id = $2) AND t.item_ids <@ $3::uuid[] ORDER BY t.seq LIMIT 1`,
    [datasetId, params.taskId ?? null, itemIds],
  );
  if (!task) throw new Error(`no task of dataset ${datasetId} is covered by the answers given for worker ${workerId}`);
  const shown = [...task.item_ids, ...task.gold];
  if (shown.length !== itemIds.length) throw new Error(`the answers of worker ${workerId} must cover exactly one task's items (plus gold): got ${itemIds.length}, task has ${task.item_ids.length} + ${task.gold.length} gold`);
  // The lease, as claim_task writes it (slot taken, items marked seen).
  const [assignment] = await dataSource.query(
    `WITH slot AS (UPDATE tasks SET open_slots = open_slots - 1 WHERE id = $1 RETURNING id),
     leased AS (INSERT INTO assignments (task_id, dataset_id, worker_id, item_ids, gold_item_ids, status, expires_at)
                SELECT $1, $2, $3, $4::uuid[], $5::uuid[], 'ACTIVE', now() + make_interval(secs => $6) FROM slot RETURNING id),
     seen AS (INSERT INTO worker_seen_items (worker_id, item_id, dataset_id) SELECT $3, x, $2 FROM unnest($4::uuid[]) AS x)
     SELECT id FROM leased`,
    [task.id, datasetId, workerId, shown, task.gold, task.lease_seconds],
  );
  if (!assignment) throw new Error(`task ${task.id} has no open slot for worker ${workerId}`);
  const { submissions, verdicts } = taskServices(dataSource);
  await submissions.submit({ workerId, assignmentId: assignment.id, answers: answers.map(([itemId, label]) => ({ itemId, label })) });
  await verdicts.decide({ workerId, datasetId });
  const [after] = await dataSource.query('SELECT status FROM assignments WHERE id = $1', [assignment.id]);
  if (after.status !== 'ACCEPTED') throw new Error(`assignment of worker ${workerId} ended ${after.status}, not ACCEPTED`);
}

/** Many workers' answers at once: answers[k] = [itemId, workerId, value]. Each worker's answers are
 * grouped into whole tasks (one item a task by default); answers on gold items ride along with
 * the worker's first regular assignment. */
export async function acceptAnswers(dataSource: DataSource, params: { datasetId: string; answers: (readonly [itemId: string, workerId: string, value: unknown])[] }): Promise<void> {
  const tasks: { id: string; item_ids: string[] }[] = await dataSource.query('SELECT id, item_ids FROM tasks WHERE dataset_id = $1', [params.datasetId]);
  const taskOf = new Map(tasks.flatMap((t) => t.item_ids.map((id) => [id, t.id] as const)));
  const byWorker = new Map<string, Map<string, [string, unknown][]>>();
  const goldOf = new Map<string, [string, unknown][]>();
  for (const [itemId, workerId, value] of params.answers) {
    const taskId = taskOf.get(itemId);
    if (taskId === undefined) {
      goldOf.set(workerId, [...(goldOf.get(workerId) ?? []), [itemId, value]]);
      continue;
    }
    const perTask = byWorker.get(workerId) ?? new Map<string, [string, unknown][]>();
    perTask.set(taskId, [...(perTask.get(taskId) ?? []), [itemId, value]]);
    byWorker.set(workerId, perTask);
  }
  for (const [workerId, perTask] of byWorker) {
    const gold = goldOf.get(workerId) ?? [];
    for (const [k, [taskId, answers]] of [...perTask].entries()) {
      await acceptAssignment(dataSource, { datasetId: params.datasetId, workerId, taskId, answers: k === 0 ? [...answers, ...gold] : answers });
    }
  }
}

// The submit and verdict services wired by hand on a plain DataSource (the real classes), with
// every verdict due at once.
function taskServices(dataSource: DataSource): { submissions: SubmissionService; verdicts: VerdictService } {
  const config = parseConfig({ VERDICT_MAX_DELAY_SECONDS: '0' }) as RuntimeConfig;
  const stats = new WorkerStatsRepository();
  const lifecycle = new DatasetLifecycleService(dataSource, new DatasetsRepository(dataSource));
  return {
    submissions: new SubmissionService(dataSource, new AssignmentsRepository(), new SubmissionRepository(), stats, systemClock, config),
    verdicts: new VerdictService(dataSource, new VerdictRepository(), stats, lifecycle, systemClock, config),
  };
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
