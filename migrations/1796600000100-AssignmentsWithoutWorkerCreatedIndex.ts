import type { MigrationInterface, QueryRunner } from 'typeorm';

// assignments_worker_created_idx (worker, created_at, id) served one query: a worker's own
// assignments of every status, newest first (myAssignments without a status). Every claim inserts
// an assignment and every submit and verdict moves its status; none of those updates is HOT (the
// status is in other indexes), so each wrote an entry here too: three per claim → verdict cycle.
// That page now merges one ordered range per status of assignments_worker_status_created_idx
// (AssignmentsRepository.pageOwn): at most a page per status, whatever the worker's history.
export class AssignmentsWithoutWorkerCreatedIndex1796600000100 implements MigrationInterface {
  name = 'AssignmentsWithoutWorkerCreatedIndex1796600000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."assignments_worker_created_idx"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "assignments_worker_created_idx" ON "assignments" ("worker_id", "created_at", "id")`,
    );
  }
}
