import { MigrationInterface, QueryRunner } from "typeorm";
import { ClaimTaskFunction1795910000000 } from "./1795910000000-ClaimTaskFunction";

// Quality control a cheating labeler cannot drain, infer or game (issue "Quality control that a
// cheating labeler cannot drain, infer or game"):
// - gold exposure: each gold item counts the workers it was shown to and stops being handed out
//   at the dataset's cap (NULL = no cap: datasets published before this migration keep their
//   old behaviour); retired gold (a reviewer's decision) is never handed out again;
// - claim_task: the dataset's owner gets nothing (OWN_DATASET); an assignment on a dataset with
//   gold always carries goldPerTask unseen gold or is not handed out (NO_GOLD); tasks are taken
//   from a random point of the claimable ones instead of in split order;
// - verdicts are published later, per worker, in batches (verdict_at); worker_stats carries the
//   pending work, the recent gold record the verdict reads, abandoned leases and the agreement
//   with consensus on regular items that gaming detection compares gold accuracy with.
export class QualityIntegrity1795920000000 implements MigrationInterface {
    name = 'QualityIntegrity1795920000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "datasets" ADD "gold_exposure_cap" integer`);
        await queryRunner.query(`ALTER TABLE "items" ADD "gold_exposures" integer NOT NULL DEFAULT 0`);
        await queryRunner.query(`ALTER TABLE "items" ADD "gold_retired" boolean NOT NULL DEFAULT false`);
        // Exposures so far: every worker a gold item was shown to is in worker_seen_items.
        await queryRunner.query(`
UPDATE items i SET gold_exposures = c.n
  FROM (SELECT s.item_id, count(*)::int AS n FROM worker_seen_items s JOIN items g ON g.id = s.item_id AND g.is_gold GROUP BY s.item_id) c
 WHERE i.id = c.item_id`);

        await queryRunner.query(`ALTER TABLE "assignments" ADD "verdict_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`UPDATE assignments SET verdict_at = submitted_at WHERE status IN ('ACCEPTED', 'REJECTED')`);
        await queryRunner.query(`CREATE INDEX "assignments_pending_verdict_idx" ON "assignments" ("submitted_at") WHERE status = 'SUBMITTED'`);
        // myAssignments pages a worker's own work newest first, all of it or one status.
        await queryRunner.query(`DROP INDEX "public"."assignments_worker_idx"`);
        await queryRunner.query(`CREATE INDEX "assignments_worker_status_created_idx" ON "assignments" ("worker_id", "status", "created_at", "id")`);
        await queryRunner.query(`CREATE INDEX "assignments_worker_created_idx" ON "assignments" ("worker_id", "created_at", "id")`);

        await queryRunner.query(`ALTER TABLE "worker_stats" ADD "submitted" integer NOT NULL DEFAULT 0`);
        await queryRunner.query(`ALTER TABLE "worker_stats" ADD "abandoned" integer NOT NULL DEFAULT 0`);
        await queryRunner.query(`ALTER TABLE "worker_stats" ADD "pending" integer NOT NULL DEFAULT 0`);
        await queryRunner.query(`ALTER TABLE "worker_stats" ADD "pending_gold" integer NOT NULL DEFAULT 0`);
        await queryRunner.query(`ALTER TABLE "worker_stats" ADD "recent_gold" boolean array NOT NULL DEFAULT '{}'`);
        await queryRunner.query(`ALTER TABLE "worker_stats" ADD "regular_compared" integer NOT NULL DEFAULT 0`);
        await queryRunner.query(`ALTER TABLE "worker_stats" ADD "regular_agreed" integer NOT NULL DEFAULT 0`);
        await queryRunner.query(`ALTER TABLE "worker_stats" ADD "block_reason" character varying(32)`);
        await queryRunner.query(`UPDATE worker_stats SET block_reason = 'GOLD_ACCURACY' WHERE blocked`);
        await queryRunner.query(`
UPDATE worker_stats w SET submitted = c.submitted, abandoned = c.abandoned
  FROM (SELECT worker_id, dataset_id,
               count(*) FILTER (WHERE status IN ('SUBMITTED', 'ACCEPTED', 'REJECTED'))::int AS submitted,
               count(*) FILTER (WHERE status IN ('EXPIRED', 'RELEASED'))::int AS abandoned
          FROM assignments GROUP BY worker_id, dataset_id) c
 WHERE w.worker_id = c.worker_id AND w.dataset_id = c.dataset_id`);

        await queryRunner.query(`
CREATE FUNCTION count_abandoned(p_assignments uuid[]) RETURNS void LANGUAGE sql AS $fn$
  INSERT INTO worker_stats (worker_id, dataset_id, abandoned)
  SELECT a.worker_id, a.dataset_id, count(*)::int FROM assignments a WHERE a.id = ANY (p_assignments) GROUP BY a.worker_id, a.dataset_id
  ON CONFLICT (worker_id, dataset_id) DO UPDATE SET abandoned = worker_stats.abandoned + EXCLUDED.abandoned, updated_at = now()
$fn$`);

        // p_count gold items this worker was never shown, under the cap and not retired, starting
        // at a random point of the id order and wrapping around, each counted as one more
        // exposure. Passes 1-2 skip rows other claims hold; passes 3-4 wait for them, so "no gold
        // left" is never answered only because of a concurrent claim.
        await queryRunner.query(`
CREATE FUNCTION take_gold(p_worker uuid, p_dataset uuid, p_count int, p_cap int) RETURNS uuid[] LANGUAGE plpgsql AS $fn$
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

        await queryRunner.query(`
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
       AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = ANY (t.item_ids))
     ORDER BY t.seq LIMIT 1
     FOR UPDATE OF t SKIP LOCKED)
  UPDATE tasks t SET open_slots = t.open_slots - 1 FROM picked WHERE t.id = picked.id
  RETURNING t.id, t.item_ids INTO task;
  IF NOT FOUND THEN
    WITH picked AS (
      SELECT t.id FROM tasks t
       WHERE t.dataset_id = p_dataset AND t.open_slots > 0 AND t.seq < pivot
         AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = ANY (t.item_ids))
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
$fn$`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // The previous claim_task is the one its own migration creates.
        await queryRunner.query(`DROP FUNCTION claim_task(uuid, uuid, timestamptz)`);
        await queryRunner.query(`DROP FUNCTION assignment_items_json(uuid[])`);
        await queryRunner.query(`DROP INDEX "public"."items_dataset_gold_idx"`);
        await queryRunner.query(`CREATE INDEX "items_dataset_gold_idx" ON "items"  ("dataset_id") WHERE is_gold`);
        await new ClaimTaskFunction1795910000000().up(queryRunner);
        await queryRunner.query(`DROP FUNCTION take_gold(uuid, uuid, int, int)`);
        await queryRunner.query(`DROP FUNCTION count_abandoned(uuid[])`);
        for (const column of ['submitted', 'abandoned', 'pending', 'pending_gold', 'recent_gold', 'regular_compared', 'regular_agreed', 'block_reason']) {
            await queryRunner.query(`ALTER TABLE "worker_stats" DROP COLUMN "${column}"`);
        }
        await queryRunner.query(`DROP INDEX "public"."assignments_worker_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."assignments_worker_status_created_idx"`);
        await queryRunner.query(`CREATE INDEX "assignments_worker_idx" ON "assignments" ("worker_id", "status")`);
        await queryRunner.query(`DROP INDEX "public"."assignments_pending_verdict_idx"`);
        await queryRunner.query(`ALTER TABLE "assignments" DROP COLUMN "verdict_at"`);
        await queryRunner.query(`ALTER TABLE "items" DROP COLUMN "gold_retired"`);
        await queryRunner.query(`ALTER TABLE "items" DROP COLUMN "gold_exposures"`);
        await queryRunner.query(`ALTER TABLE "datasets" DROP COLUMN "gold_exposure_cap"`);
    }

}
