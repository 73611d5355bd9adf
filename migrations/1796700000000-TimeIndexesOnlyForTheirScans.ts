import type { MigrationInterface, QueryRunner } from 'typeorm';

// Two partial indexes by time shared their predicate with an index that finds one worker's rows:
// - assignments_active_expiry_idx (the reaper's live leases by end) and assignments_one_active_key
//   (a worker's live lease on a dataset): status = 'ACTIVE';
// - assignments_pending_verdict_idx (the overdue-verdict sweep, oldest first) and
//   assignments_in_flight_idx (a worker's pending submissions on a dataset, the verdict's lock):
//   status = 'SUBMITTED' is implied by both.
// With statistics from a moment when few rows matched, the planner took the smaller time index
// for the worker's lookup and read every row of every worker in it: claim_task read 302 buffers
// with 300 leases held against 58 (13,000 and 7 ms with 27,000, on a copy of a bench:assign
// database), the verdict's lock of a worker's pending submissions read all 56,149 pending of
// everyone (49 ms) — in every connection that planned them so, until statistics were taken again
// (this machine runs without autovacuum; a plan cached by a pooled connection outlives them too).
// Each time index's predicate now also says "<its column> IS NOT NULL": true of every row it holds
// (expires_at is NOT NULL; a SUBMITTED assignment has its submitted_at) and implied by its own
// scan's strict comparison (expires_at <= $1, submitted_at <= $1), but by no query that does not
// compare that column, so no such query can be planned on it.
const INDEXES = [
  { name: 'assignments_active_expiry_idx', column: 'expires_at', status: 'ACTIVE' },
  { name: 'assignments_pending_verdict_idx', column: 'submitted_at', status: 'SUBMITTED' },
];

export class TimeIndexesOnlyForTheirScans1796700000000 implements MigrationInterface {
  name = 'TimeIndexesOnlyForTheirScans1796700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const i of INDEXES) {
      await queryRunner.query(`DROP INDEX "public"."${i.name}"`);
      await queryRunner.query(
        `CREATE INDEX "${i.name}" ON "assignments" ("${i.column}") WHERE status = '${i.status}' AND ${i.column} IS NOT NULL`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const i of INDEXES) {
      await queryRunner.query(`DROP INDEX "public"."${i.name}"`);
      await queryRunner.query(`CREATE INDEX "${i.name}" ON "assignments" ("${i.column}") WHERE status = '${i.status}'`);
    }
  }
}
