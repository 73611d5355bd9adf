import type { MigrationInterface, QueryRunner } from 'typeorm';
import { editFunctions, reversed, type FunctionEdit } from './support/edit-functions';

// A claim runs two statements fewer (seven → five on the usual path), and the range it picks a task
// from is read the same way whatever the planner's statistics say.
//
// - claim_task read the range of claimable tasks as `SELECT min(seq), max(seq) ... WHERE
//   open_slots > 0`, a statement of its own. PostgreSQL may answer that with two index probes, or
//   with a scan of every claimable task of the dataset: with statistics from when the dataset had
//   no tasks (this machine runs without autovacuum), a plan read 9,943 index entries and as many
//   heap rows per claim, 2.2 ms (auto_explain on a bench:assign database). The range is now two
//   ordered probes with a limit of one each (the first and the last claimable task), which no plan
//   turns into a scan, read with the dataset, the worker's block and their live lease. A claim that
//   ends a lapsed lease of its own first still picks from the range it read before: the only slot
//   that frees is of a task this worker was shown, which it may not take again.
// - take_gold gathered its candidates (the first window of unseen gold after a random point) and
//   took from them in two statements. Most claims find the whole span in that first window: then
//   gathering and taking are one statement, which takes only when the window held the whole span,
//   so it takes from exactly the candidates the window-by-window loop gathers. Short, it takes
//   nothing and the loop runs as before, from the first window again.
//
// Every statement a PL/pgSQL function runs pays a fixed cost before it reads a row (its cached plan
// checked, a snapshot, the executor's state built and torn down; FewerStatementsPerCycle).
const CLAIM_TASK = 'claim_task(uuid, uuid, timestamptz)';
const TAKE_GOLD = 'take_gold(uuid, uuid, int, int)';

const EDITS: FunctionEdit[] = [
  {
    fn: CLAIM_TASK,
    from: `         l.id AS live_id, l.task_id AS live_task_id, l.item_ids AS live_item_ids, l.expires_at AS live_expires_at
`,
    to: `         l.id AS live_id, l.task_id AS live_task_id, l.item_ids AS live_item_ids, l.expires_at AS live_expires_at,
         (SELECT t.seq FROM tasks t WHERE t.dataset_id = p_dataset AND t.open_slots > 0 ORDER BY t.seq LIMIT 1) AS first_seq,
         (SELECT t.seq FROM tasks t WHERE t.dataset_id = p_dataset AND t.open_slots > 0 ORDER BY t.seq DESC LIMIT 1) AS last_seq
`,
    times: 1,
  },
  {
    fn: CLAIM_TASK,
    from: `  -- different tasks, and a task's slots are not handed out back to back. Two index probes find
  -- the range; SKIP LOCKED lets concurrent claims pass each other.
  SELECT min(seq), max(seq) INTO lo, hi FROM tasks WHERE dataset_id = p_dataset AND open_slots > 0;
`,
    to: `  -- different tasks, and a task's slots are not handed out back to back. Two index probes read with
  -- the dataset found the range; SKIP LOCKED lets concurrent claims pass each other.
  lo := d.first_seq;
  hi := d.last_seq;
`,
    times: 1,
  },
  { fn: TAKE_GOLD, from: '  pass int;\n', to: '  pass int;\n  gathered int;\n', times: 1 },
  {
    fn: TAKE_GOLD,
    from: `  LOOP
    candidates := candidates || ARRAY(`,
    to: `  -- Most claims find the whole span in the first window: then gathering and taking are one
  -- statement, which takes only when the window held the whole span, so from exactly the candidates
  -- the loop below would gather. Short, it takes nothing, and the loop gathers window by window.
  WITH cand AS (
    SELECT w.id FROM (SELECT c.id, c.gold_retired, c.gold_exposures FROM items c
                       WHERE c.dataset_id = p_dataset AND c.is_gold AND c.id > lo AND c.id < hi
                       ORDER BY c.id LIMIT reach) w
     WHERE NOT w.gold_retired AND (p_cap IS NULL OR w.gold_exposures < p_cap)
       AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = w.id OFFSET 0)
     ORDER BY w.id LIMIT span),
  u AS (UPDATE items i SET gold_exposures = i.gold_exposures + 1
    WHERE i.id IN (SELECT c.id FROM items c
                    WHERE c.id IN (SELECT cand.id FROM cand) AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
                      AND (SELECT count(*) FROM cand) >= span
                    ORDER BY random() LIMIT p_count FOR UPDATE SKIP LOCKED)
    RETURNING i.id)
  SELECT (SELECT count(*) FROM cand), coalesce((SELECT array_agg(u.id) FROM u), '{}') INTO gathered, taken;
  IF gathered < span THEN
  LOOP
    candidates := candidates || ARRAY(`,
    times: 1,
  },
  {
    fn: TAKE_GOLD,
    from: `  SELECT coalesce(array_agg(u.id), '{}') INTO taken FROM u;
  FOR pass IN 1..2 LOOP`,
    to: `  SELECT coalesce(array_agg(u.id), '{}') INTO taken FROM u;
  END IF;
  FOR pass IN 1..2 LOOP`,
    times: 1,
  },
];

export class ClaimInFewerStatements1796600000000 implements MigrationInterface {
  name = 'ClaimInFewerStatements1796600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, EDITS);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, reversed(EDITS));
  }
}
