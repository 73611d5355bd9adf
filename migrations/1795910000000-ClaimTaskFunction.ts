import { MigrationInterface, QueryRunner } from "typeorm";

// claimTask in one round trip. The claim used to be six (BEGIN, lock, context, take, create,
// COMMIT); at hundreds of claims a second those round trips, not the work, were the cost. Each
// statement inside the function reads a fresh snapshot (READ COMMITTED), so everything after the
// advisory lock sees whatever a concurrent claim of the same worker committed before it.
//
// Returns {outcome: NOT_FOUND | BLOCKED | NOT_OPEN | NONE | CLAIMED, ...}; the caller turns the
// outcomes into errors. Item order is a shuffle keyed by gen_random_uuid() (strong randomness),
// so a gold item's position tells nothing.
export class ClaimTaskFunction1795910000000 implements MigrationInterface {
    name = 'ClaimTaskFunction1795910000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        // Gold by (dataset, id): claim_task starts its gold scan at a random id.
        await queryRunner.query(`DROP INDEX "public"."items_dataset_gold_idx"`);
        await queryRunner.query(`CREATE INDEX "items_dataset_gold_idx" ON "items"  ("dataset_id", "id") WHERE is_gold`);
        await queryRunner.query(`
CREATE FUNCTION assignment_items_json(p_item_ids uuid[]) RETURNS jsonb LANGUAGE sql STABLE AS $fn$
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'payload', i.payload) ORDER BY u.n), '[]'::jsonb)
    FROM unnest(p_item_ids) WITH ORDINALITY AS u(id, n) JOIN items i ON i.id = u.id
$fn$`);
        await queryRunner.query(`
CREATE FUNCTION claim_task(p_worker uuid, p_dataset uuid, p_now timestamptz) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  d record;
  live record;
  task record;
  gold uuid[];
  pivot uuid;
  shown uuid[];
  expires timestamptz;
  created uuid;
BEGIN
  -- Serialises claims of one worker on one dataset (a double-click): "return the live lease or
  -- take one" is decided once. Claims of different workers never wait on each other here.
  PERFORM pg_advisory_xact_lock(hashtext(p_worker::text), hashtext(p_dataset::text));
  SELECT status, gold_per_task, lease_seconds INTO d FROM datasets WHERE id = p_dataset;
  -- A draft is its owner's business: to a labeler it does not exist.
  IF NOT FOUND OR d.status = 'DRAFT' THEN RETURN jsonb_build_object('outcome', 'NOT_FOUND'); END IF;
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
    IF FOUND THEN UPDATE tasks SET open_slots = open_slots + 1 WHERE id = live.task_id; END IF;
  END IF;
  IF d.status <> 'OPEN' THEN RETURN jsonb_build_object('outcome', 'NOT_OPEN', 'status', d.status); END IF;

  -- One slot of the first task (in split order) with a free slot and no item this worker was ever
  -- shown. SKIP LOCKED lets concurrent claims pass each other instead of queueing on the head task.
  WITH picked AS (
    SELECT t.id FROM tasks t
     WHERE t.dataset_id = p_dataset AND t.open_slots > 0
       AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = ANY (t.item_ids))
     ORDER BY t.seq
     LIMIT 1
     FOR UPDATE OF t SKIP LOCKED)
  UPDATE tasks t SET open_slots = t.open_slots - 1 FROM picked WHERE t.id = picked.id
  RETURNING t.id, t.item_ids INTO task;
  IF NOT FOUND THEN RETURN jsonb_build_object('outcome', 'NONE'); END IF;

  -- Gold items this worker has never been shown: the first ones after a random point of the id
  -- order, wrapping around, so a claim reads a few index entries instead of every gold item.
  -- Which ones is not a secret (their positions are), so this randomness is enough.
  IF d.gold_per_task > 0 THEN
    pivot := gen_random_uuid();
    gold := ARRAY(
      (SELECT i.id FROM items i
        WHERE i.dataset_id = p_dataset AND i.is_gold AND i.id >= pivot
          AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = i.id)
        ORDER BY i.id LIMIT d.gold_per_task)
      UNION ALL
      (SELECT i.id FROM items i
        WHERE i.dataset_id = p_dataset AND i.is_gold AND i.id < pivot
          AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = i.id)
        ORDER BY i.id LIMIT d.gold_per_task)
      LIMIT d.gold_per_task);
  ELSE
    gold := '{}';
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
        await queryRunner.query(`DROP FUNCTION claim_task(uuid, uuid, timestamptz)`);
        await queryRunner.query(`DROP FUNCTION assignment_items_json(uuid[])`);
        await queryRunner.query(`DROP INDEX "public"."items_dataset_gold_idx"`);
        await queryRunner.query(`CREATE INDEX "items_dataset_gold_idx" ON "items"  ("dataset_id") WHERE is_gold`);
    }

}
