import type { MigrationInterface, QueryRunner } from 'typeorm';

// The reaper's index of live leases by their end (assignments_active_expiry_idx) had the predicate
// of the index that finds a worker's live lease (assignments_one_active_key): status = 'ACTIVE'.
// With statistics from a moment when few leases were live, both look empty to the planner, and it
// took the reaper's (fewer pages) for claim_task's "the worker's live lease on this dataset", which
// then read every live lease of every worker: 300 buffers a claim with 300 leases held, 13,000
// and 7 ms with 27,000 (a copy of a bench:assign database), in every connection that planned it
// so, until the statistics were taken again. Its predicate now also says expires_at IS NOT NULL:
// true of every row (the column is NOT NULL) and implied by the reaper's own expires_at <= $1 (a
// strict comparison), but by no query that does not compare expires_at, so no such query can use it.
export class ExpiryIndexOnlyForTheReaper1796700000000 implements MigrationInterface {
  name = 'ExpiryIndexOnlyForTheReaper1796700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."assignments_active_expiry_idx"`);
    await queryRunner.query(
      `CREATE INDEX "assignments_active_expiry_idx" ON "assignments" ("expires_at") WHERE status = 'ACTIVE' AND expires_at IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."assignments_active_expiry_idx"`);
    await queryRunner.query(
      `CREATE INDEX "assignments_active_expiry_idx" ON "assignments" ("expires_at") WHERE status = 'ACTIVE'`,
    );
  }
}
