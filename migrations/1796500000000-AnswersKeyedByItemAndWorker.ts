import type { MigrationInterface, QueryRunner } from 'typeorm';

// answers had a uuid primary key nobody reads (no foreign key, no query, no API field names an
// answer by id) beside the unique (item_id, worker_id) that every read uses: each submit wrote one
// more B-tree entry per answer, at a random place of a random-uuid index (six per assignment in
// bench:assign). (item_id, worker_id) becomes the primary key, under the unique constraint's old
// name, and the id column goes. The new key's index is built once here, holding the table for the
// build: seconds per million answers.
export class AnswersKeyedByItemAndWorker1796500000000 implements MigrationInterface {
  name = 'AnswersKeyedByItemAndWorker1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "answers" DROP CONSTRAINT "PK_9c32cec6c71e06da0254f2226c6"`);
    await queryRunner.query(`ALTER TABLE "answers" DROP COLUMN "id"`);
    await queryRunner.query(`ALTER TABLE "answers" DROP CONSTRAINT "answers_item_worker_key"`);
    await queryRunner.query(
      `ALTER TABLE "answers" ADD CONSTRAINT "answers_item_worker_key" PRIMARY KEY ("item_id", "worker_id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "answers" DROP CONSTRAINT "answers_item_worker_key"`);
    await queryRunner.query(
      `ALTER TABLE "answers" ADD CONSTRAINT "answers_item_worker_key" UNIQUE ("item_id", "worker_id")`,
    );
    await queryRunner.query(`ALTER TABLE "answers" ADD "id" uuid NOT NULL DEFAULT gen_random_uuid()`);
    await queryRunner.query(
      `ALTER TABLE "answers" ADD CONSTRAINT "PK_9c32cec6c71e06da0254f2226c6" PRIMARY KEY ("id")`,
    );
  }
}
