import { randomBytes } from 'node:crypto';
import { parseConfig } from '../../src/config/config.schema';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../src/config/runtime-config';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '../../src/database/query-rows';
import { inTransaction } from '../../src/database/transaction';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { CLOCK, systemClock } from '../../src/common/clock';
import { ConsensusReadRepository } from '../../src/consensus/consensus-read.repository';
import { ConsensusWriteRepository } from '../../src/consensus/consensus-write.repository';
import { ConsensusService } from '../../src/consensus/consensus.service';
import { typeormOptions } from '../../src/database/typeorm-options';
import { DatasetLifecycleService } from '../../src/datasets/dataset-lifecycle.service';
import type { AggregationMethod } from '../../src/datasets/dataset-status';
import { DatasetsRepository } from '../../src/datasets/datasets.repository';
import { AssignmentsRepository } from '../../src/tasks/assignments.repository';
import { SplitRepository } from '../../src/tasks/split.repository';
import { SubmissionRepository } from '../../src/tasks/submission.repository';
import { SubmitFactsCache } from '../../src/tasks/submit-facts.cache';
import { SubmissionService } from '../../src/tasks/submission.service';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { VerdictRepository } from '../../src/tasks/verdict.repository';
import { VerdictService, type PublishedVerdicts } from '../../src/tasks/verdict.service';
import { createOpenDataset, type DatasetFixture, type DatasetFixtureOptions } from '../support/fixtures';
import { createTestDatabase } from '../support/test-database';
import { NO_CHAIN_DECIMALS } from '../../src/common/money';

// Consensus tests build the state aggregation meets through the product's own write paths: the
// real split into tasks, then per assignment the real submit (SubmissionService: answers, gold
// score, the worker's pending counters) and the real verdict (VerdictService: counters, spend
// stripes, earning, worker stats, blocks, the consensus job). Only the lease itself is written
// here, because claim_task picks a random task and the tests need a given worker on a given task;
// it is written with claim_task's own rules (see leaseAs), so no test can lease what a labeler
// could not claim.

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
  options: DatasetFixtureOptions & {
    targetConfidence?: number | null;
    aggregation?: AggregationMethod | keyof typeof AggregationMethod;
  } = {},
): Promise<ConsensusFixture> {
  // One item a task unless told otherwise: any answer matrix then maps onto whole tasks.
  const fixture = await createOpenDataset(dataSource, { itemsPerTask: 1, ...options });
  await dataSource.query('UPDATE datasets SET target_confidence = $2, aggregation = $3 WHERE id = $1', [
    fixture.datasetId,
    options.targetConfidence ?? null,
    options.aggregation ?? 'DAWID_SKENE',
  ]);
  await new TaskSplitService(dataSource, new SplitRepository()).split(fixture.datasetId);
  const tasks: { id: string; item_ids: string[] }[] = await dataSource.query(
    'SELECT id, item_ids FROM tasks WHERE dataset_id = $1 ORDER BY seq',
    [fixture.datasetId],
  );
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
  const [row] = await dataSource.query(
    `INSERT INTO accounts (address, roles) VALUES ($1, $2::account_role[]) RETURNING id`,
    [`0x${randomBytes(20).toString('hex')}`, roles],
  );
  return row.id;
}

type Answer = [itemId: string, value: unknown];

/** A lease of `workerId` on a task (the one holding exactly these regular items, preferring one
 * with a free slot, or `taskId`), submitted with these answers through the real
 * SubmissionService; the verdict is not decided yet. The lease carries exactly the dataset's
 * goldPerTask gold: the gold items answered here (their number must be goldPerTask) or, with none
 * given, fresh gold the fixture picks and answers with `goldAnswer` (default: right). Returns the
 * assignment id. */
export async function submitAssignment(
  dataSource: DataSource,
  params: { datasetId: string; workerId: string; answers: Answer[]; taskId?: string; goldAnswer?: unknown },
): Promise<string> {
  const { datasetId, workerId } = params;
  const items: { id: string; is_gold: boolean }[] = await dataSource.query(
    'SELECT id, is_gold FROM items WHERE id = ANY ($1::uuid[]) AND dataset_id = $2',
    [params.answers.map(([id]) => id), datasetId],
  );
  if (items.length !== params.answers.length)
    throw new Error(
      `worker ${workerId}: some answered items are not items of dataset ${datasetId}, or are answered twice`,
    );
  const isGold = new Set(items.filter((i) => i.is_gold).map((i) => i.id));
  const regular = params.answers.filter(([id]) => !isGold.has(id));
  const [task] = await dataSource.query(
    `SELECT id, item_ids FROM tasks
      WHERE dataset_id = $1 AND ($2::uuid IS NULL OR id = $2) AND item_ids <@ $3::uuid[] AND $3::uuid[] <@ item_ids
      ORDER BY open_slots > 0 DESC, seq LIMIT 1`,
    [datasetId, params.taskId ?? null, regular.map(([id]) => id)],
  );
  if (!task)
    throw new Error(
      `worker ${workerId}: no task of dataset ${datasetId} holds exactly the ${regular.length} regular items answered`,
    );
  const lease = await inTransaction(dataSource, (manager) =>
    leaseAs(manager, { taskId: task.id, itemIds: task.item_ids, datasetId, workerId, gold: [...isGold] }),
  );
  const gold =
    isGold.size > 0
      ? params.answers.filter(([id]) => isGold.has(id))
      : lease.gold.map(([id, label]): Answer => [id, params.goldAnswer ?? label]);
  const { submissions } = await taskServices(dataSource);
  await submissions.submit({
    workerId,
    assignmentId: lease.id,
    answers: [...regular, ...gold].map(([itemId, label]) => ({ itemId, label })),
  });
  return lease.id;
}

// The lease as claim_task writes it, with its refusals, in one transaction (a refusal leaves
// nothing behind): only on an OPEN dataset and to a worker not blocked there; a slot of a task
// with no item the worker has seen; exactly goldPerTask gold (the given items, or fresh gold as
// take_gold picks it: unseen by the worker, not retired, under the exposure cap), each counted as
// one more exposure; the assignment; the items marked seen.
async function leaseAs(
  manager: EntityManager,
  params: { taskId: string; itemIds: string[]; datasetId: string; workerId: string; gold: string[] },
): Promise<{ id: string; gold: Answer[] }> {
  const who = `worker ${params.workerId}`;
  const [d] = await manager.query(
    `SELECT status, gold_per_task, gold_exposure_cap, lease_seconds,
            EXISTS (SELECT 1 FROM worker_stats w WHERE w.worker_id = $2 AND w.dataset_id = $1 AND w.blocked) AS blocked
       FROM datasets WHERE id = $1`,
    [params.datasetId, params.workerId],
  );
  if (d.status !== 'OPEN') throw new Error(`${who}: claim_task hands out no task of a ${d.status} dataset`);
  if (d.blocked) throw new Error(`${who} is blocked on dataset ${params.datasetId}: claim_task hands them nothing`);
  if (params.gold.length > 0 && params.gold.length !== d.gold_per_task)
    throw new Error(
      `${who}: an assignment carries exactly goldPerTask = ${d.gold_per_task} gold, ${params.gold.length} gold answers given`,
    );
  const slot = await manager.query(
    `UPDATE tasks t SET open_slots = t.open_slots - 1 WHERE t.id = $1 AND t.open_slots > 0
        AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = $2 AND s.item_id = ANY (t.item_ids)) RETURNING t.id`,
    [params.taskId, params.workerId],
  );
  if (rowsOf(slot).length === 0)
    throw new Error(`${who}: task ${params.taskId} has no free slot, or they saw one of its items before`);
  const gold = rowsOf<{ id: string; gold_label: unknown }>(
    await manager.query(
      `WITH picked AS (
       SELECT c.id FROM items c
        WHERE c.dataset_id = $1 AND c.is_gold AND NOT c.gold_retired AND ($3::int IS NULL OR c.gold_exposures < $3)
          AND (cardinality($4::uuid[]) = 0 OR c.id = ANY ($4::uuid[]))
          AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = $2 AND s.item_id = c.id)
        ORDER BY c.id LIMIT $5 FOR UPDATE)
     UPDATE items i SET gold_exposures = i.gold_exposures + 1 FROM picked WHERE i.id = picked.id
     RETURNING i.id, i.gold_label`,
      [params.datasetId, params.workerId, d.gold_exposure_cap, params.gold, d.gold_per_task],
    ),
  );
  if (gold.length < d.gold_per_task)
    throw new Error(
      `${who}: fewer than ${d.gold_per_task} fresh gold item(s) left for them (claim_task answers NO_GOLD)`,
    );
  const shown = [...params.itemIds, ...gold.map((g) => g.id)];
  const [assignment] = await manager.query(
    `INSERT INTO assignments (task_id, dataset_id, worker_id, item_ids, gold_item_ids, status, expires_at)
     VALUES ($1, $2, $3, $4::uuid[], $5::uuid[], 'ACTIVE', now() + make_interval(secs => $6)) RETURNING id`,
    [params.taskId, params.datasetId, params.workerId, shown, gold.map((g) => g.id), d.lease_seconds],
  );
  await manager.query(
    'INSERT INTO worker_seen_items (worker_id, item_id, dataset_id) SELECT $1, x, $2 FROM unnest($3::uuid[]) AS x',
    [params.workerId, params.datasetId, shown],
  );
  return { id: assignment.id, gold: gold.map((g) => [g.id, g.gold_label]) };
}

/** The verdict on the worker's pending submissions on the dataset, decided by the real
 * VerdictService (due at once): counters, spend stripes, earning, worker stats, consensus job. */
export async function decideVerdicts(
  dataSource: DataSource,
  key: { workerId: string; datasetId: string },
): Promise<PublishedVerdicts | null> {
  return (await taskServices(dataSource)).verdicts.decide(key);
}

/** One accepted assignment: submitAssignment, then the verdict; throws if the product refuses the
 * submission or does not accept it. Returns the assignment id. */
export async function acceptAssignment(
  dataSource: DataSource,
  params: { datasetId: string; workerId: string; answers: Answer[]; taskId?: string },
): Promise<string> {
  const id = await submitAssignment(dataSource, params);
  const published = await decideVerdicts(dataSource, { workerId: params.workerId, datasetId: params.datasetId });
  // Null when a worker process of the app under test decided the batch first.
  const status = published
    ? published.verdict
    : (await dataSource.query('SELECT status FROM assignments WHERE id = $1', [id]))[0].status;
  if (status !== 'ACCEPTED') throw new Error(`assignment of worker ${params.workerId} ended ${status}, not ACCEPTED`);
  return id;
}

/** Many workers' answers at once: answers[k] = [itemId, workerId, value]. Each worker's answers on
 * regular items are grouped into whole tasks (one item a task by default; an item in several
 * tasks, e.g. a top-up, goes to the first with a free slot), one accepted assignment each, in the
 * order the tasks first appear. Answers on gold items are handed out goldPerTask at a time to the
 * worker's assignments in that order; assignments left without given gold get fresh gold answered
 * right. */
export async function acceptAnswers(
  dataSource: DataSource,
  params: { datasetId: string; answers: (readonly [itemId: string, workerId: string, value: unknown])[] },
): Promise<void> {
  const placed: { item_id: string; task_id: string }[] = await dataSource.query(
    `SELECT DISTINCT ON (x) x AS item_id, t.id AS task_id FROM tasks t, unnest(t.item_ids) AS x
      WHERE t.dataset_id = $1 AND x = ANY ($2::uuid[]) ORDER BY x, t.open_slots > 0 DESC, t.seq`,
    [params.datasetId, params.answers.map(([itemId]) => itemId)],
  );
  const taskOf = new Map(placed.map((p) => [p.item_id, p.task_id]));
  const [{ gold_per_task: goldPerTask }] = await dataSource.query('SELECT gold_per_task FROM datasets WHERE id = $1', [
    params.datasetId,
  ]);
  const byWorker = new Map<string, { tasks: Map<string, Answer[]>; gold: Answer[] }>();
  for (const [itemId, workerId, value] of params.answers) {
    const work = byWorker.get(workerId) ?? { tasks: new Map<string, Answer[]>(), gold: [] };
    byWorker.set(workerId, work);
    const taskId = taskOf.get(itemId);
    if (taskId === undefined) work.gold.push([itemId, value]);
    else work.tasks.set(taskId, [...(work.tasks.get(taskId) ?? []), [itemId, value]]);
  }
  for (const [workerId, work] of byWorker) {
    if (work.gold.length > goldPerTask * work.tasks.size)
      throw new Error(
        `worker ${workerId}: ${work.gold.length} gold answers do not fit in ${work.tasks.size} assignment(s) of ${goldPerTask} gold`,
      );
  }
  // Workers label side by side, as real ones do (each one's assignments in order): the product
  // is built for concurrent submits and verdicts, and large answer matrices load several times
  // faster. Which verdict is last on an item may differ between runs; what gets accepted does not.
  const outcomes = await Promise.allSettled(
    [...byWorker].map(async ([workerId, work]) => {
      let k = 0;
      for (const [taskId, answers] of work.tasks) {
        const gold = work.gold.slice(k * goldPerTask, ++k * goldPerTask);
        await acceptAssignment(dataSource, {
          datasetId: params.datasetId,
          workerId,
          taskId,
          answers: [...answers, ...gold],
        });
      }
    }),
  );
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

// The submit and verdict services of a DataSource (the real classes, wired by Nest's injector as
// the app wires them, so the fixture follows their constructors), with every verdict due at once.
const taskServicesOf = new WeakMap<DataSource, Promise<{ submissions: SubmissionService; verdicts: VerdictService }>>();

function taskServices(dataSource: DataSource): Promise<{ submissions: SubmissionService; verdicts: VerdictService }> {
  let services = taskServicesOf.get(dataSource);
  if (!services) {
    services = Test.createTestingModule({
      providers: [
        { provide: getDataSourceToken(), useValue: dataSource },
        { provide: CLOCK, useValue: systemClock },
        { provide: RUNTIME_CONFIG, useValue: parseConfig({ VERDICT_MAX_DELAY_SECONDS: '0' }) },
        SubmissionService,
        SubmissionRepository,
        SubmitFactsCache,
        AssignmentsRepository,
        VerdictService,
        VerdictRepository,
        DatasetLifecycleService,
        DatasetsRepository,
      ],
    })
      .compile()
      .then((moduleRef) => ({
        submissions: moduleRef.get(SubmissionService),
        verdicts: moduleRef.get(VerdictService),
      }));
    taskServicesOf.set(dataSource, services);
  }
  return services;
}

/** The service the consensus worker runs, wired by hand on a plain DataSource (the real classes,
 * nothing replaced), for tests that call it directly. */
export function consensusService(
  dataSource: DataSource,
  config: RuntimeConfig = parseConfig({}) as RuntimeConfig,
): ConsensusService {
  return new ConsensusService(
    dataSource,
    new ConsensusReadRepository(),
    new ConsensusWriteRepository(),
    datasetLifecycle(dataSource),
    systemClock,
    config,
  );
}

/** The datasets area's status machine (publish, cancel, completion), wired the same way. */
export function datasetLifecycle(dataSource: DataSource): DatasetLifecycleService {
  return new DatasetLifecycleService(dataSource, new DatasetsRepository(dataSource), {
    tokenDecimals: NO_CHAIN_DECIMALS,
  });
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
  const rows: ResultRow[] = await dataSource.query(
    'SELECT item_id, label, confidence, answers, method, version FROM item_results WHERE dataset_id = $1',
    [datasetId],
  );
  return new Map(rows.map((r) => [r.item_id, r]));
}

export { seededRandom } from '../support/seeded-random';
