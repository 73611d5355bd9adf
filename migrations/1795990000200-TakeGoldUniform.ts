import { MigrationInterface, QueryRunner } from "typeorm";

// take_gold (QualityIntegrity) took the first unseen gold items after a random point of the id
// order. A gold item right after another one in that order was then rarely picked first: the
// order in which a worker met gold depended on the gaps between random ids, and some gold items
// were shown early far more often than others. Now the first pass draws p_count items at random
// from the next 8 × p_count unseen ones, wrapping around the id order: for a pool that small the
// draw is uniform, for a large one the gap bias is spread over eight neighbours. The reads stay
// index range scans of a bounded window; the old passes remain as the fallback (rows locked by
// concurrent claims are skipped first, then waited for).
export class TakeGoldUniform1795990000200 implements MigrationInterface {
    name = 'TakeGoldUniform1795990000200'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
CREATE OR REPLACE FUNCTION take_gold(p_worker uuid, p_dataset uuid, p_count int, p_cap int) RETURNS uuid[] LANGUAGE plpgsql AS $fn$
DECLARE
  pivot uuid := gen_random_uuid();
  span int := p_count * 8;
  candidates uuid[];
  taken uuid[] := '{}';
  got uuid[];
  pass int;
BEGIN
  candidates := ARRAY(SELECT c.id FROM items c
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
                          AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = c.id)
                        ORDER BY c.id LIMIT p_count - cardinality(taken) FOR UPDATE SKIP LOCKED)
        RETURNING i.id)
      SELECT coalesce(array_agg(u.id), '{}') INTO got FROM u;
    ELSE
      WITH u AS (UPDATE items i SET gold_exposures = i.gold_exposures + 1
        WHERE i.id IN (SELECT c.id FROM items c
                        WHERE c.dataset_id = p_dataset AND c.is_gold AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
                          AND c.id <> ALL (taken)
                          AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = c.id)
                        ORDER BY c.id LIMIT p_count - cardinality(taken) FOR UPDATE)
        RETURNING i.id)
      SELECT coalesce(array_agg(u.id), '{}') INTO got FROM u;
    END IF;
    taken := taken || got;
  END LOOP;
  RETURN taken;
END
$fn$`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // The version QualityIntegrity created.
        await queryRunner.query(`
CREATE OR REPLACE FUNCTION take_gold(p_worker uuid, p_dataset uuid, p_count int, p_cap int) RETURNS uuid[] LANGUAGE plpgsql AS $fn$
DECLARE
  pivot uuid := gen_random_uuid();
  taken uuid[] := '{}';
  got uuid[];
  pass int;
BEGIN
  FOR pass IN 1..4 LOOP
    EXIT WHEN cardinality(taken) >= p_count;
    IF pass = 1 THEN
      WITH u AS (UPDATE items i SET gold_exposures = i.gold_exposures + 1
        WHERE i.id IN (SELECT c.id FROM items c
                        WHERE c.dataset_id = p_dataset AND c.is_gold AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
                          AND c.id >= pivot AND c.id <> ALL (taken)
                          AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = c.id)
                        ORDER BY c.id LIMIT p_count - cardinality(taken) FOR UPDATE SKIP LOCKED)
        RETURNING i.id)
      SELECT coalesce(array_agg(u.id), '{}') INTO got FROM u;
    ELSIF pass = 2 THEN
      WITH u AS (UPDATE items i SET gold_exposures = i.gold_exposures + 1
        WHERE i.id IN (SELECT c.id FROM items c
                        WHERE c.dataset_id = p_dataset AND c.is_gold AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
                          AND c.id < pivot AND c.id <> ALL (taken)
                          AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = c.id)
                        ORDER BY c.id LIMIT p_count - cardinality(taken) FOR UPDATE SKIP LOCKED)
        RETURNING i.id)
      SELECT coalesce(array_agg(u.id), '{}') INTO got FROM u;
    ELSE
      WITH u AS (UPDATE items i SET gold_exposures = i.gold_exposures + 1
        WHERE i.id IN (SELECT c.id FROM items c
                        WHERE c.dataset_id = p_dataset AND c.is_gold AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)
                          AND c.id <> ALL (taken)
                          AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = c.id)
                        ORDER BY c.id LIMIT p_count - cardinality(taken) FOR UPDATE)
        RETURNING i.id)
      SELECT coalesce(array_agg(u.id), '{}') INTO got FROM u;
    END IF;
    taken := taken || got;
  END LOOP;
  RETURN taken;
END
$fn$`);
    }

}
