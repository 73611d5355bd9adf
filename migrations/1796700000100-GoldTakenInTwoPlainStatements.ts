import type { MigrationInterface, QueryRunner } from 'typeorm';
import { editFunctions, reversed, type FunctionEdit } from './support/edit-functions';

// take_gold gathers its candidates window by window and then takes from them, as before migration
// ClaimInFewerStatements merged the first window's gathering and taking into one statement; and it
// takes with an UPDATE joined to the locked pick instead of "id IN (pick)". Same candidates, same
// random pick among them, same SKIP LOCKED. Why: the merged statement planned five aggregates (two
// hash aggregates for the IN lists, the candidates' counts, the taken ids), whose set-up cost more
// than the statement it saved: claim + release by a new labeler each time on a copy of a
// bench:assign database (pgbench, one client), CPU of its PostgreSQL backend per pair in four
// alternated pairs, 651 / 662 / 654 / 660 µs merged against 630 / 641 / 639 / 648 µs split (12 to
// 21 µs less a claim, every pair).
const TAKE_GOLD = 'take_gold(uuid, uuid, int, int)';

const EDITS: FunctionEdit[] = [
  { fn: TAKE_GOLD, from: '  pass int;\n  gathered int;\n', to: '  pass int;\n', times: 1 },
  {
    fn: TAKE_GOLD,
    from: `  -- Most claims find the whole span in the first window: then gathering and taking are one
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
`,
    to: `  -- Most claims find the whole span in the first window: one statement gathers, one takes.
  LOOP
`,
    times: 1,
  },
  {
    fn: TAKE_GOLD,
    from: `  WITH u AS (UPDATE items i SET gold_exposures = i.gold_exposures + 1
    WHERE i.id IN (SELECT c.id FROM items c
                    WHERE c.id = ANY (candidates) AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
                    ORDER BY random() LIMIT p_count FOR UPDATE SKIP LOCKED)
    RETURNING i.id)
  SELECT coalesce(array_agg(u.id), '{}') INTO taken FROM u;
  END IF;
`,
    to: `  WITH u AS (UPDATE items i SET gold_exposures = i.gold_exposures + 1
    FROM (SELECT c.id FROM items c
           WHERE c.id = ANY (candidates) AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
           ORDER BY random() LIMIT p_count FOR UPDATE SKIP LOCKED) pick
    WHERE i.id = pick.id
    RETURNING i.id)
  SELECT coalesce(array_agg(u.id), '{}') INTO taken FROM u;
`,
    times: 1,
  },
];

export class GoldTakenInTwoPlainStatements1796700000100 implements MigrationInterface {
  name = 'GoldTakenInTwoPlainStatements1796700000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, EDITS);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, reversed(EDITS));
  }
}
