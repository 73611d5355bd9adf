import type { MigrationInterface, QueryRunner } from 'typeorm';

// An assignment's status is one of the six the code knows. myAssignments without a status reads one
// index range per known status (AssignmentsRepository.pageOwn), so a row with any other status
// would be missing from the list and its count; the database now refuses such a row.
export class AssignmentStatusCheck1796600000300 implements MigrationInterface {
  name = 'AssignmentStatusCheck1796600000300';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "assignments" ADD CONSTRAINT "assignments_status_check" CHECK (status IN ('ACTIVE', 'SUBMITTED', 'ACCEPTED', 'REJECTED', 'EXPIRED', 'RELEASED'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "assignments" DROP CONSTRAINT "assignments_status_check"`);
  }
}
