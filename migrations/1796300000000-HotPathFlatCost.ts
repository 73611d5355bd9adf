import type { MigrationInterface, QueryRunner } from 'typeorm';

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

// Each function is edited in place, not restated: its body as the last migration wrote it is read
// back (PostgreSQL keeps it verbatim) and the fragments below replaced, so this file holds only what
// changes. A body that does not hold a fragment exactly as often as expected stops the migration.
interface Edit {
  fn: string;
  from: string;
  to: string;
  times: number;
}

const CLAIM_TASK = 'claim_task(uuid, uuid, timestamptz)';
const TAKE_GOLD = 'take_gold(uuid, uuid, int, int)';
const SUBMIT_ASSIGNMENT = 'submit_assignment(uuid, uuid, jsonb, text, timestamptz, int, int)';

const EDITS: Edit[] = [
  // claim_task (QualityIntegrity): "no item of task t was shown to this worker", in both passes of
  // the task pick — one primary-key probe per item of the task.
  {
    fn: CLAIM_TASK,
    from: 'NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = ANY (t.item_ids))',
    to: `NOT EXISTS (SELECT 1 FROM unnest(t.item_ids) AS x(id)
                        WHERE EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = x.id OFFSET 0)
                       OFFSET 0)`,
    times: 2,
  },
  // take_gold (TakeGoldUniform): the windows' bounds, then the candidates read window by window...
  {
    fn: TAKE_GOLD,
    from: `  span int := p_count * 8;
  candidates uuid[];
`,
    to: `  span int := p_count * 8;
  reach int := p_count * 32;
  lo uuid := pivot;
  hi uuid := 'ffffffff-ffff-ffff-ffff-ffffffffffff';
  window_end uuid;
  candidates uuid[] := '{}';
`,
    times: 1,
  },
  {
    fn: TAKE_GOLD,
    from: `  candidates := ARRAY(SELECT c.id FROM items c
                       WHERE c.dataset_id = p_dataset AND c.is_gold AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
                         AND c.id >= pivot
                         AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = c.id)
                       ORDER BY c.id LIMIT span);
  IF cardinality(candidates) < span THEN
    candidates := candidates || ARRAY(SELECT c.id FROM items c
                       WHERE c.dataset_id = p_dataset AND c.is_gold AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
                         AND c.id < pivot
                         AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = c.id)
                       ORDER BY c.id LIMIT span - cardinality(candidates));
  END IF;
`,
    to: `  -- The first span usable gold items this worker has not seen after the pivot in id order,
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
`,
    times: 1,
  },
  // ... and the probes of its two fallback passes.
  {
    fn: TAKE_GOLD,
    from: 'AND s.item_id = c.id)',
    to: 'AND s.item_id = c.id OFFSET 0)',
    times: 2,
  },
  // submit_assignment (SubmitInOneCall): the assignment by its primary key.
  {
    fn: SUBMIT_ASSIGNMENT,
    from: 'WHERE id = p_assignment AND worker_id = p_worker FOR UPDATE',
    to: 'WHERE id = p_assignment AND worker_id IS NOT DISTINCT FROM p_worker FOR UPDATE',
    times: 1,
  },
];

async function edit(queryRunner: QueryRunner, e: Edit): Promise<void> {
  const [{ def }] = (await queryRunner.query('SELECT pg_get_functiondef($1::regprocedure) AS def', [e.fn])) as {
    def: string;
  }[];
  const parts = def.split(e.from);
  if (parts.length - 1 !== e.times)
    throw new Error(`${e.fn}: expected ${e.times} × ${JSON.stringify(e.from.slice(0, 80))}, found ${parts.length - 1}`);
  await queryRunner.query(parts.join(e.to));
}

export class HotPathFlatCost1796300000000 implements MigrationInterface {
  name = 'HotPathFlatCost1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const e of EDITS) await edit(queryRunner, e);
    await queryRunner.query(`ALTER FUNCTION ${TAKE_GOLD} SET plan_cache_mode = force_generic_plan`);
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
    // The version ClaimTaskFunction created.
    await queryRunner.query(`
CREATE OR REPLACE FUNCTION assignment_items_json(p_item_ids uuid[]) RETURNS jsonb LANGUAGE sql STABLE AS $fn$
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'payload', i.payload) ORDER BY u.n), '[]'::jsonb)
    FROM unnest(p_item_ids) WITH ORDINALITY AS u(id, n) JOIN items i ON i.id = u.id
$fn$`);
    await queryRunner.query(`ALTER FUNCTION ${TAKE_GOLD} RESET plan_cache_mode`);
    for (const e of [...EDITS].reverse()) await edit(queryRunner, { ...e, from: e.to, to: e.from });
  }
}
