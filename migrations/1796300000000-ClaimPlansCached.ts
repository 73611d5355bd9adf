import type { MigrationInterface, QueryRunner } from 'typeorm';

// Two statements of claim_task were planned anew on every claim (pg_stat_statements during
// bench:assign: plans = calls), a third of a claim's planning and parsing work:
// - assignment_items_json was a SQL function that cannot be inlined (it aggregates), and
//   PostgreSQL 15 parses and plans the body of such a function on every call. As PL/pgSQL its
//   query is parsed once per session and its plan can be cached.
// - Both that query and take_gold's exposure update read a uuid[] argument (`unnest(p_item_ids)`,
//   `c.id = ANY (candidates)`). A custom plan sees the array's length, so it always looks cheaper to
//   the plan cache than the generic one, which never gets used: each call planned anew. Both
//   functions now use the generic plan, which is the same index scan of the primary key.
export class ClaimPlansCached1796300000000 implements MigrationInterface {
  name = 'ClaimPlansCached1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
CREATE OR REPLACE FUNCTION assignment_items_json(p_item_ids uuid[]) RETURNS jsonb LANGUAGE plpgsql STABLE
  SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
  RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'payload', i.payload) ORDER BY u.n), '[]'::jsonb)
            FROM unnest(p_item_ids) WITH ORDINALITY AS u(id, n) JOIN items i ON i.id = u.id);
END
$fn$`);
    await queryRunner.query(`ALTER FUNCTION take_gold(uuid, uuid, int, int) SET plan_cache_mode = force_generic_plan`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER FUNCTION take_gold(uuid, uuid, int, int) RESET plan_cache_mode`);
    // The version ClaimTaskFunction created.
    await queryRunner.query(`
CREATE OR REPLACE FUNCTION assignment_items_json(p_item_ids uuid[]) RETURNS jsonb LANGUAGE sql STABLE AS $fn$
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'payload', i.payload) ORDER BY u.n), '[]'::jsonb)
    FROM unnest(p_item_ids) WITH ORDINALITY AS u(id, n) JOIN items i ON i.id = u.id
$fn$`);
  }
}
