import type { MigrationInterface, QueryRunner } from 'typeorm';

// answers_assignment_idx cost an index insert per answer (6 per claim → submit cycle) and no query
// of the service reads answers by assignment: submits write them, consensus and progress read them
// by dataset (answers_dataset_idx), and answers are never deleted (no foreign key needs it).
export class DropAnswersAssignmentIndex1795950000000 implements MigrationInterface {
  name = 'DropAnswersAssignmentIndex1795950000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."answers_assignment_idx"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "answers_assignment_idx" ON "answers" ("assignment_id") `);
  }
}
