import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TakeGoldUniform1795990000200 } from './1795990000200-TakeGoldUniform';

// What a claim and a submit cost no longer depends on the labeler's history, and the claim's plans
// are cached.
//
// - submit_assignment found the assignment by `id = p_assignment AND worker_id = p_worker`, and the
//   planner could serve that from assignments_worker_created_idx (worker_id, created_at, id): every
//   index entry of the worker's assignments walked to find one (test/tasks/history-cost.e2e.spec.ts).
//   The worker is now compared with IS NOT DISTINCT FROM, which no index can serve, so the row is
//   found by its primary key (and a row of someone else's still fails the filter before it is
//   locked). The rest of the function is SubmitInOneCall's.
// - "Never shown to this worker" was `NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE
//   s.worker_id = p_worker AND s.item_id = c.id)` (`= ANY (t.item_ids)` for a task). The planner
//   turns such a NOT EXISTS into an anti join, and the generic plan PL/pgSQL keeps for a
//   connection's lifetime may drive it from ALL of the worker's seen items (a bitmap scan on
//   worker_id, item_id as a filter; even as a subplan when the items are an array), planned while
//   the table was small: test/tasks/history-cost.e2e.spec.ts saw 786, then 8,010 rows read per
//   task looked at and per gold candidate, so a claim grew with the labeler's history
//   (invariant 11). Now every probe is an equality on the whole primary key (worker_id, item_id),
//   one item at a time, in a subquery the planner may not flatten (`OFFSET 0`): a few buffers,
//   whatever the history.
// - take_gold's first candidates (the next unseen gold after a random point) were one query with all
//   the filters; once the table's statistics changed (a VACUUM in that test) the planner read every
//   gold item after the point and sorted them (57 rows for 8 wanted; it grows with the dataset's
//   gold). The same candidates are now read window by window, each an ordered index range with a
//   limit of its own (32 ids per gold item wanted) that no plan can turn into a full read.
// - assignment_items_json was a SQL function that cannot be inlined (it aggregates), and
//   PostgreSQL 15 parses and plans the body of such a function on every call. As PL/pgSQL its
//   query is parsed once per session and its plan can be cached.
// - That query and take_gold's exposure update read a uuid[] argument (`unnest(p_item_ids)`,
//   `c.id = ANY (candidates)`). A custom plan sees the array's length, so it always looks cheaper to
//   the plan cache than the generic one, which then never gets used: both were planned on every
//   claim (pg_stat_statements during bench:assign: plans = calls). Both functions now use the
//   generic plan, the same primary-key index scans.

// "No item of task t was shown to this worker": one primary-key probe per item of the task.
const TASK_UNSEEN = `NOT EXISTS (SELECT 1 FROM unnest(t.item_ids) AS x(id)
                        WHERE EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = x.id OFFSET 0)
                       OFFSET 0)`;
// The same as QualityIntegrity wrote it.
const TASK_UNSEEN_BEFORE = `NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = ANY (t.item_ids))`;

const claimTask = (taskUnseen: string): string => `
CREATE OR REPLACE FUNCTION claim_task(p_worker uuid, p_dataset uuid, p_now timestamptz) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  d record;
  live record;
  task record;
  lo bigint;
  hi bigint;
  pivot bigint;
  gold uuid[] := '{}';
  shown uuid[];
  expires timestamptz;
  created uuid;
BEGIN
  -- Serialises claims of one worker on one dataset (a double-click): "return the live lease or
  -- take one" is decided once. Claims of different workers never wait on each other here.
  PERFORM pg_advisory_xact_lock(hashtext(p_worker::text), hashtext(p_dataset::text));
  SELECT status, owner_id, gold_per_task, gold_exposure_cap, lease_seconds INTO d FROM datasets WHERE id = p_dataset;
  -- A draft is its owner's business: to a labeler it does not exist.
  IF NOT FOUND OR d.status = 'DRAFT' THEN RETURN jsonb_build_object('outcome', 'NOT_FOUND'); END IF;
  -- Whoever uploaded the gold labels cannot be paid for answering them.
  IF d.owner_id = p_worker THEN RETURN jsonb_build_object('outcome', 'OWN_DATASET'); END IF;
  IF EXISTS (SELECT 1 FROM worker_stats w WHERE w.worker_id = p_worker AND w.dataset_id = p_dataset AND w.blocked) THEN
    RETURN jsonb_build_object('outcome', 'BLOCKED');
  END IF;
  SELECT id, task_id, item_ids, expires_at INTO live FROM assignments
   WHERE worker_id = p_worker AND dataset_id = p_dataset AND status = 'ACTIVE';
  IF FOUND THEN
    -- A double-click or a retry gets the lease it already has.
    IF d.status IN ('OPEN', 'PAUSED') AND live.expires_at > p_now THEN
      RETURN jsonb_build_object('outcome', 'CLAIMED', 'id', live.id, 'expiresAt', live.expires_at, 'items', assignment_items_json(live.item_ids));
    END IF;
    -- The lease ran out but the reaper has not seen it yet: end it here so its slot returns and
    -- the worker may hold a new one.
    UPDATE assignments SET status = 'EXPIRED' WHERE id = live.id AND status = 'ACTIVE';
    IF FOUND THEN
      UPDATE tasks SET open_slots = open_slots + 1 WHERE id = live.task_id;
      PERFORM count_abandoned(ARRAY[live.id]);
    END IF;
  END IF;
  IF d.status <> 'OPEN' THEN RETURN jsonb_build_object('outcome', 'NOT_OPEN', 'status', d.status); END IF;

  -- One slot of a task with a free slot and no item this worker was ever shown, taken from a
  -- random point of the claimable tasks (wrapping around): two workers claiming at once get
  -- different tasks, and a task's slots are not handed out back to back. Two index probes find
  -- the range; SKIP LOCKED lets concurrent claims pass each other.
  SELECT min(seq), max(seq) INTO lo, hi FROM tasks WHERE dataset_id = p_dataset AND open_slots > 0;
  IF lo IS NULL THEN RETURN jsonb_build_object('outcome', 'NONE'); END IF;
  pivot := lo + floor(random() * (hi - lo + 1))::bigint;
  WITH picked AS (
    SELECT t.id FROM tasks t
     WHERE t.dataset_id = p_dataset AND t.open_slots > 0 AND t.seq >= pivot
       AND ${taskUnseen}
     ORDER BY t.seq LIMIT 1
     FOR UPDATE OF t SKIP LOCKED)
  UPDATE tasks t SET open_slots = t.open_slots - 1 FROM picked WHERE t.id = picked.id
  RETURNING t.id, t.item_ids INTO task;
  IF NOT FOUND THEN
    WITH picked AS (
      SELECT t.id FROM tasks t
       WHERE t.dataset_id = p_dataset AND t.open_slots > 0 AND t.seq < pivot
         AND ${taskUnseen}
       ORDER BY t.seq LIMIT 1
       FOR UPDATE OF t SKIP LOCKED)
    UPDATE tasks t SET open_slots = t.open_slots - 1 FROM picked WHERE t.id = picked.id
    RETURNING t.id, t.item_ids INTO task;
    IF NOT FOUND THEN RETURN jsonb_build_object('outcome', 'NONE'); END IF;
  END IF;

  -- No assignment without gold on a dataset with gold: short of fresh gold for this worker, the
  -- slot and the exposures just taken go back and the worker is told why.
  IF d.gold_per_task > 0 THEN
    gold := take_gold(p_worker, p_dataset, d.gold_per_task, d.gold_exposure_cap);
    IF cardinality(gold) < d.gold_per_task THEN
      UPDATE tasks SET open_slots = open_slots + 1 WHERE id = task.id;
      UPDATE items SET gold_exposures = gold_exposures - 1 WHERE id = ANY (gold);
      RETURN jsonb_build_object('outcome', 'NO_GOLD');
    END IF;
  END IF;
  shown := ARRAY(SELECT x FROM unnest(task.item_ids || gold) AS x ORDER BY gen_random_uuid());
  expires := p_now + make_interval(secs => d.lease_seconds);
  INSERT INTO assignments (task_id, dataset_id, worker_id, item_ids, gold_item_ids, status, expires_at)
  VALUES (task.id, p_dataset, p_worker, shown, gold, 'ACTIVE', expires)
  RETURNING id INTO created;
  -- The primary key refuses the whole claim if any item was somehow shown to this worker before.
  INSERT INTO worker_seen_items (worker_id, item_id, dataset_id) SELECT p_worker, x, p_dataset FROM unnest(shown) AS x;
  RETURN jsonb_build_object('outcome', 'CLAIMED', 'id', created, 'expiresAt', expires, 'items', assignment_items_json(shown));
END
$fn$`;

const TAKE_GOLD = `
CREATE OR REPLACE FUNCTION take_gold(p_worker uuid, p_dataset uuid, p_count int, p_cap int) RETURNS uuid[] LANGUAGE plpgsql
  SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
  pivot uuid := gen_random_uuid();
  span int := p_count * 8;
  reach int := p_count * 32;
  lo uuid := pivot;
  hi uuid := 'ffffffff-ffff-ffff-ffff-ffffffffffff';
  window_end uuid;
  candidates uuid[] := '{}';
  taken uuid[] := '{}';
  got uuid[];
  pass int;
BEGIN
  -- The first span usable gold items this worker has not seen after the pivot in id order,
  -- wrapping around once (as TakeGoldUniform drew them), read window by window: each window is the
  -- next "reach" gold ids of an ordered index range with a limit, so a claim reads what it needs,
  -- not every gold item past the pivot, whatever the plan's statistics say. Ids are random v4
  -- uuids: none is all zeros or all ones, and one equal to the pivot is left to the passes below.
  LOOP
    candidates := candidates || ARRAY(SELECT w.id FROM (SELECT c.id, c.gold_retired, c.gold_exposures FROM items c
                                                         WHERE c.dataset_id = p_dataset AND c.is_gold AND c.id > lo AND c.id < hi
                                                         ORDER BY c.id LIMIT reach) w
                       WHERE NOT w.gold_retired AND (p_cap IS NULL OR w.gold_exposures < p_cap)
                         AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = w.id OFFSET 0)
                       ORDER BY w.id LIMIT span - cardinality(candidates));
    EXIT WHEN cardinality(candidates) >= span;
    -- Short: that window was read to its end. The next one starts after it, or around from the start.
    window_end := (SELECT c.id FROM items c
                    WHERE c.dataset_id = p_dataset AND c.is_gold AND c.id > lo AND c.id < hi
                    ORDER BY c.id OFFSET reach - 1 LIMIT 1);
    IF window_end IS NOT NULL THEN
      lo := window_end;
    ELSIF hi <> pivot THEN
      lo := '00000000-0000-0000-0000-000000000000';
      hi := pivot;
    ELSE
      EXIT;
    END IF;
  END LOOP;
  WITH u AS (UPDATE items i SET gold_exposures = i.gold_exposures + 1
    WHERE i.id IN (SELECT c.id FROM items c
                    WHERE c.id = ANY (candidates) AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
                    ORDER BY random() LIMIT p_count FOR UPDATE SKIP LOCKED)
    RETURNING i.id)
  SELECT coalesce(array_agg(u.id), '{}') INTO taken FROM u;
  FOR pass IN 1..2 LOOP
    EXIT WHEN cardinality(taken) >= p_count;
    IF pass = 1 THEN
      WITH u AS (UPDATE items i SET gold_exposures = i.gold_exposures + 1
        WHERE i.id IN (SELECT c.id FROM items c
                        WHERE c.dataset_id = p_dataset AND c.is_gold AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
                          AND c.id <> ALL (taken)
                          AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = c.id OFFSET 0)
                        ORDER BY c.id LIMIT p_count - cardinality(taken) FOR UPDATE SKIP LOCKED)
        RETURNING i.id)
      SELECT coalesce(array_agg(u.id), '{}') INTO got FROM u;
    ELSE
      WITH u AS (UPDATE items i SET gold_exposures = i.gold_exposures + 1
        WHERE i.id IN (SELECT c.id FROM items c
                        WHERE c.dataset_id = p_dataset AND c.is_gold AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
                          AND c.id <> ALL (taken)
                          AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = c.id OFFSET 0)
                        ORDER BY c.id LIMIT p_count - cardinality(taken) FOR UPDATE)
        RETURNING i.id)
      SELECT coalesce(array_agg(u.id), '{}') INTO got FROM u;
    END IF;
    taken := taken || got;
  END LOOP;
  RETURN taken;
END
$fn$`;

const submitAssignment = (ownLookup: string): string => `
CREATE OR REPLACE FUNCTION submit_assignment(p_worker uuid, p_assignment uuid, p_answers jsonb, p_hash text,
                                  p_now timestamptz, p_min_gold int, p_max_delay_seconds int) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  a record;
  d record;
  shown_gold int;
  waiting_gold int;
  asked_at timestamptz;
  ask boolean := false;
BEGIN
  SELECT id, task_id, dataset_id, gold_item_ids, status, expires_at, submission_hash, submitted_at, verdict_at INTO a
    FROM assignments WHERE ${ownLookup} FOR UPDATE;
  IF NOT FOUND THEN RETURN jsonb_build_object('outcome', 'NOT_FOUND'); END IF;
  IF a.status <> 'ACTIVE' THEN
    RETURN jsonb_build_object('outcome', 'STATE', 'status', a.status, 'hash', a.submission_hash, 'submittedAt', a.submitted_at, 'verdictAt', a.verdict_at);
  END IF;
  SELECT status, gold_per_task, min_gold_accuracy INTO d FROM datasets WHERE id = a.dataset_id;
  IF d.status = 'CANCELLED' THEN RETURN jsonb_build_object('outcome', 'NOT_OPEN'); END IF;
  IF p_now >= a.expires_at THEN
    UPDATE assignments SET status = 'EXPIRED' WHERE id = a.id;
    UPDATE tasks SET open_slots = open_slots + 1 WHERE id = a.task_id;
    PERFORM count_abandoned(ARRAY[a.id]);
    RETURN jsonb_build_object('outcome', 'EXPIRED');
  END IF;
  IF p_answers IS NULL THEN RETURN jsonb_build_object('outcome', 'LIVE'); END IF;

  shown_gold := coalesce(cardinality(a.gold_item_ids), 0);
  INSERT INTO answers (assignment_id, dataset_id, item_id, worker_id, value, is_gold, accepted)
  SELECT a.id, a.dataset_id, x.item_id, p_worker, x.value, x.item_id = ANY (a.gold_item_ids), false
    FROM jsonb_to_recordset(p_answers) AS x(item_id uuid, value jsonb);
  UPDATE assignments SET status = 'SUBMITTED', submitted_at = p_now, submission_hash = p_hash, gold_correct = NULL, gold_total = shown_gold
   WHERE id = a.id;
  INSERT INTO worker_stats (worker_id, dataset_id, answers, submitted, pending, pending_gold)
  VALUES (p_worker, a.dataset_id, jsonb_array_length(p_answers), 1, 1, shown_gold)
  ON CONFLICT (worker_id, dataset_id) DO UPDATE SET
    answers = worker_stats.answers + EXCLUDED.answers,
    submitted = worker_stats.submitted + 1,
    pending = worker_stats.pending + 1,
    pending_gold = worker_stats.pending_gold + EXCLUDED.pending_gold,
    updated_at = now()
  RETURNING pending_gold, verdict_asked_at INTO waiting_gold, asked_at;
  IF d.gold_per_task = 0 OR d.min_gold_accuracy IS NULL OR p_max_delay_seconds = 0 THEN
    ask := true;
  ELSIF waiting_gold >= p_min_gold AND (asked_at IS NULL OR asked_at <= p_now - interval '30 seconds') THEN
    UPDATE worker_stats SET verdict_asked_at = p_now WHERE worker_id = p_worker AND dataset_id = a.dataset_id;
    ask := true;
  END IF;
  IF ask THEN
    INSERT INTO outbox (queue, job_name, payload, job_id)
    VALUES ('tasks', 'tasks.decide-verdicts', jsonb_build_object('workerId', p_worker, 'datasetId', a.dataset_id), 'verdict:' || a.id);
  END IF;
  RETURN jsonb_build_object('outcome', 'SUBMITTED', 'submittedAt', p_now);
END
$fn$`;
const SUBMIT_LOOKUP = 'id = p_assignment AND worker_id IS NOT DISTINCT FROM p_worker';
const SUBMIT_LOOKUP_BEFORE = 'id = p_assignment AND worker_id = p_worker';

export class HotPathFlatCost1796300000000 implements MigrationInterface {
  name = 'HotPathFlatCost1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(TAKE_GOLD);
    await queryRunner.query(claimTask(TASK_UNSEEN));
    await queryRunner.query(submitAssignment(SUBMIT_LOOKUP));
    await queryRunner.query(`
CREATE OR REPLACE FUNCTION assignment_items_json(p_item_ids uuid[]) RETURNS jsonb LANGUAGE plpgsql STABLE
  SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
  RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'payload', i.payload) ORDER BY u.n), '[]'::jsonb)
            FROM unnest(p_item_ids) WITH ORDINALITY AS u(id, n) JOIN items i ON i.id = u.id);
END
$fn$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // The versions ClaimTaskFunction (assignment_items_json), QualityIntegrity (claim_task),
    // SubmitInOneCall (submit_assignment) and TakeGoldUniform created.
    await queryRunner.query(`
CREATE OR REPLACE FUNCTION assignment_items_json(p_item_ids uuid[]) RETURNS jsonb LANGUAGE sql STABLE AS $fn$
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'payload', i.payload) ORDER BY u.n), '[]'::jsonb)
    FROM unnest(p_item_ids) WITH ORDINALITY AS u(id, n) JOIN items i ON i.id = u.id
$fn$`);
    await queryRunner.query(claimTask(TASK_UNSEEN_BEFORE));
    await queryRunner.query(submitAssignment(SUBMIT_LOOKUP_BEFORE));
    await new TakeGoldUniform1795990000200().up(queryRunner);
  }
}
