import type { MigrationInterface, QueryRunner } from 'typeorm';

// A claim and a submit run fewer statements inside their functions. Every statement a PL/pgSQL
// function runs pays a fixed cost before it reads a row (its cached plan checked, a snapshot, the
// executor's state built and torn down): perf during bench:assign put ExecutorStart alone at 15 %
// of PostgreSQL's CPU, and claim_task ran 13 statements, submit_assignment 5.
//
// - claim_task: the dataset, the worker's block on it and their live lease are one statement (after
//   the advisory lock, as before, so a double-click's second claim still sees the first one's lease);
//   the lease, the items it shows (in random order) marked as seen, and their payloads in that
//   order are one statement too (data-modifying CTEs; the seen items' primary key still refuses the
//   whole claim if an item was shown to this worker before). The payload query is
//   assignment_items_json's, which the live-lease path and myAssignments keep calling.
// - submit_assignment: the answers, the assignment's new state and the worker's counters are one
//   statement (CTEs; none reads another's rows). PostgreSQL runs data-modifying CTEs the main query
//   does not read after it, so the counters' upsert (and any wait on the worker's stats row, which
//   a verdict may hold) now comes before the answers and the assignment update: the assignment's
//   row is already locked by the function's first statement, the answers' rows are new, and a
//   verdict locks worker_stats before it touches SUBMITTED assignments only, so no wait changes
//   direction. The dataset is still read in a statement of its own after the assignment's lock: a
//   join would see the dataset as it was before that lock was waited for
//   (test/tasks/money-race.e2e.spec.ts: a submit held while the cancel commits).
// - claim_task's payload query is a copy of assignment_items_json's (which the live-lease path and
//   myAssignments call): a change to what a labeler sees of an item must change both.
//
// Each function is edited in place as HotPathFlatCost did: its body is read back, the fragments
// below replaced in order (each found exactly as often as expected, or the migration stops), and
// the result created once, so no half-edited body is ever compiled.
interface Edit {
  fn: string;
  from: string;
  to: string;
  times: number;
}

const CLAIM_TASK = 'claim_task(uuid, uuid, timestamptz)';
const SUBMIT_ASSIGNMENT = 'submit_assignment(uuid, uuid, jsonb, text, timestamptz, int, int)';

const EDITS: Edit[] = [
  { fn: CLAIM_TASK, from: '  d record;\n  live record;\n', to: '  d record;\n', times: 1 },
  { fn: CLAIM_TASK, from: '  shown uuid[];\n', to: '  payloads jsonb;\n', times: 1 },
  // The live lease's fields are read from the combined row below.
  { fn: CLAIM_TASK, from: 'live.expires_at', to: 'd.live_expires_at', times: 2 },
  { fn: CLAIM_TASK, from: 'live.item_ids', to: 'd.live_item_ids', times: 1 },
  { fn: CLAIM_TASK, from: 'live.task_id', to: 'd.live_task_id', times: 1 },
  { fn: CLAIM_TASK, from: 'live.id', to: 'd.live_id', times: 3 },
  {
    fn: CLAIM_TASK,
    from: `  SELECT status, owner_id, gold_per_task, gold_exposure_cap, lease_seconds INTO d FROM datasets WHERE id = p_dataset;
`,
    to: `  SELECT ds.status, ds.owner_id, ds.gold_per_task, ds.gold_exposure_cap, ds.lease_seconds,
         EXISTS (SELECT 1 FROM worker_stats w WHERE w.worker_id = p_worker AND w.dataset_id = p_dataset AND w.blocked) AS blocked,
         l.id AS live_id, l.task_id AS live_task_id, l.item_ids AS live_item_ids, l.expires_at AS live_expires_at
    INTO d
    FROM datasets ds
    LEFT JOIN assignments l ON l.worker_id = p_worker AND l.dataset_id = p_dataset AND l.status = 'ACTIVE'
   WHERE ds.id = p_dataset;
`,
    times: 1,
  },
  {
    fn: CLAIM_TASK,
    from: `  IF EXISTS (SELECT 1 FROM worker_stats w WHERE w.worker_id = p_worker AND w.dataset_id = p_dataset AND w.blocked) THEN
    RETURN jsonb_build_object('outcome', 'BLOCKED');
  END IF;
  SELECT id, task_id, item_ids, expires_at INTO live FROM assignments
   WHERE worker_id = p_worker AND dataset_id = p_dataset AND status = 'ACTIVE';
  IF FOUND THEN
`,
    to: `  IF d.blocked THEN RETURN jsonb_build_object('outcome', 'BLOCKED'); END IF;
  IF d.live_id IS NOT NULL THEN
`,
    times: 1,
  },
  {
    fn: CLAIM_TASK,
    from: `  shown := ARRAY(SELECT x FROM unnest(task.item_ids || gold) AS x ORDER BY gen_random_uuid());
  expires := p_now + make_interval(secs => d.lease_seconds);
  INSERT INTO assignments (task_id, dataset_id, worker_id, item_ids, gold_item_ids, status, expires_at)
  VALUES (task.id, p_dataset, p_worker, shown, gold, 'ACTIVE', expires)
  RETURNING id INTO created;
  -- The primary key refuses the whole claim if any item was somehow shown to this worker before.
  INSERT INTO worker_seen_items (worker_id, item_id, dataset_id) SELECT p_worker, x, p_dataset FROM unnest(shown) AS x;
  RETURN jsonb_build_object('outcome', 'CLAIMED', 'id', created, 'expiresAt', expires, 'items', assignment_items_json(shown));
`,
    to: `  expires := p_now + make_interval(secs => d.lease_seconds);
  -- The lease shows the items in random order; the primary key of the seen items refuses the whole
  -- claim if any was somehow shown to this worker before; the payloads come in the order shown.
  WITH lease AS (
    INSERT INTO assignments (task_id, dataset_id, worker_id, item_ids, gold_item_ids, status, expires_at)
    VALUES (task.id, p_dataset, p_worker, ARRAY(SELECT x FROM unnest(task.item_ids || gold) AS x ORDER BY gen_random_uuid()),
            gold, 'ACTIVE', expires)
    RETURNING id, item_ids),
  seen AS (
    INSERT INTO worker_seen_items (worker_id, item_id, dataset_id)
    SELECT p_worker, x, p_dataset FROM lease, unnest(lease.item_ids) AS x)
  SELECT lease.id,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'payload', i.payload) ORDER BY u.n), '[]'::jsonb)
            FROM unnest(lease.item_ids) WITH ORDINALITY AS u(id, n) JOIN items i ON i.id = u.id)
    INTO created, payloads
    FROM lease;
  RETURN jsonb_build_object('outcome', 'CLAIMED', 'id', created, 'expiresAt', expires, 'items', payloads);
`,
    times: 1,
  },
  {
    fn: SUBMIT_ASSIGNMENT,
    from: `  INSERT INTO answers (assignment_id, dataset_id, item_id, worker_id, value, is_gold, accepted)
  SELECT a.id, a.dataset_id, x.item_id, p_worker, x.value, x.item_id = ANY (a.gold_item_ids), false
    FROM jsonb_to_recordset(p_answers) AS x(item_id uuid, value jsonb);
  UPDATE assignments SET status = 'SUBMITTED', submitted_at = p_now, submission_hash = p_hash, gold_correct = NULL, gold_total = shown_gold
   WHERE id = a.id;
  INSERT INTO worker_stats`,
    to: `  WITH stored AS (
    INSERT INTO answers (assignment_id, dataset_id, item_id, worker_id, value, is_gold, accepted)
    SELECT a.id, a.dataset_id, x.item_id, p_worker, x.value, x.item_id = ANY (a.gold_item_ids), false
      FROM jsonb_to_recordset(p_answers) AS x(item_id uuid, value jsonb)),
  handed_in AS (
    UPDATE assignments SET status = 'SUBMITTED', submitted_at = p_now, submission_hash = p_hash, gold_correct = NULL, gold_total = shown_gold
     WHERE id = a.id)
  INSERT INTO worker_stats`,
    times: 1,
  },
];

async function editAll(queryRunner: QueryRunner, edits: Edit[]): Promise<void> {
  for (const fn of new Set(edits.map((e) => e.fn))) {
    const [{ def }] = (await queryRunner.query('SELECT pg_get_functiondef($1::regprocedure) AS def', [fn])) as {
      def: string;
    }[];
    let body = def;
    for (const e of edits.filter((x) => x.fn === fn)) {
      const parts = body.split(e.from);
      if (parts.length - 1 !== e.times)
        throw new Error(`${fn}: expected ${e.times} × ${JSON.stringify(e.from.slice(0, 80))}, found ${parts.length - 1}`);
      body = parts.join(e.to);
    }
    await queryRunner.query(body);
  }
}

export class FewerStatementsPerCycle1796400000000 implements MigrationInterface {
  name = 'FewerStatementsPerCycle1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await editAll(queryRunner, EDITS);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await editAll(
      queryRunner,
      [...EDITS].reverse().map((e) => ({ ...e, from: e.to, to: e.from })),
    );
  }
}
