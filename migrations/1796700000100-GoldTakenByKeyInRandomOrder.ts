import type { MigrationInterface, QueryRunner } from 'typeorm';
import { editFunctions, reversed, type FunctionEdit } from './support/edit-functions';

// take_gold gathers its candidates window by window, as before migration ClaimInFewerStatements
// merged the first window's gathering and taking into one statement, and then takes them in a
// random order one row at a time: each try locks one candidate by its key (SKIP LOCKED, still
// usable: not retired, under the cap) and counts its exposure, until it holds p_count. The same
// candidates and the same uniformly random pick among them as "ORDER BY random() LIMIT p_count
// FOR UPDATE SKIP LOCKED" over all of them, which read every candidate (eight a gold item) to
// lock one.
//
// Measured: claim + release by a new labeler each time on a copy of a bench:assign database
// (pgbench, one client), CPU of its PostgreSQL backend per pair, alternated. The merged statement
// (five aggregates to set up) against gathering and taking apart with an UPDATE joined to the
// locked pick: 651 / 662 / 654 / 660 µs against 630 / 641 / 639 / 648 µs. That against taking row
// by row: 637 / 657 / 633 / 645 µs against 614 / 619 / 620 / 627 µs. About 40 µs less a claim in
// all; under bench:assign 183.6 buffers a claim against 197.4 (pg_stat_statements) with the first
// step alone.
const TAKE_GOLD = 'take_gold(uuid, uuid, int, int)';

const EDITS: FunctionEdit[] = [
  { fn: TAKE_GOLD, from: '  pass int;\n  gathered int;\n', to: '  pass int;\n  one uuid;\n  took uuid;\n', times: 1 },
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
    to: `  -- Most claims find the whole span in the first window.
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
    to: `  -- Taken in a random order of the candidates, one by its key at a time: a row another claim holds
  -- is skipped, and so is one retired or at the cap since it was gathered.
  FOREACH one IN ARRAY ARRAY(SELECT x FROM unnest(candidates) AS x ORDER BY random()) LOOP
    EXIT WHEN cardinality(taken) >= p_count;
    UPDATE items i SET gold_exposures = i.gold_exposures + 1
     WHERE i.id = (SELECT c.id FROM items c
                    WHERE c.id = one AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
                    FOR UPDATE SKIP LOCKED)
    RETURNING i.id INTO took;
    IF FOUND THEN taken := taken || took; END IF;
  END LOOP;
`,
    times: 1,
  },
];

export class GoldTakenByKeyInRandomOrder1796700000100 implements MigrationInterface {
  name = 'GoldTakenByKeyInRandomOrder1796700000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, EDITS);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, reversed(EDITS));
  }
}
