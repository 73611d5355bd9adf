import { MigrationInterface, QueryRunner } from "typeorm";

export class TasksAssignmentEngine1795899648554 implements MigrationInterface {
    name = 'TasksAssignmentEngine1795899648554'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "task_splits" ("dataset_id" uuid NOT NULL, "last_seq" bigint NOT NULL DEFAULT '0', "items_split" integer NOT NULL DEFAULT '0', "tasks_created" integer NOT NULL DEFAULT '0', "completed_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5915a2e8899ae4fceaed0462cfa" PRIMARY KEY ("dataset_id"))`);
        await queryRunner.query(`CREATE TABLE "worker_seen_items" ("worker_id" uuid NOT NULL, "item_id" uuid NOT NULL, "dataset_id" uuid NOT NULL, CONSTRAINT "PK_123072bdbedfd4bfd8f30326b33" PRIMARY KEY ("worker_id", "item_id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "assignments_one_active_key" ON "assignments"  ("worker_id", "dataset_id") WHERE status = 'ACTIVE'`);
        await queryRunner.query(`CREATE INDEX "tasks_unfinished_idx" ON "tasks"  ("dataset_id") WHERE accepted_count < slots`);
        await queryRunner.query(`ALTER TABLE "tasks" ADD CONSTRAINT "tasks_open_slots_check" CHECK ("open_slots" >= 0)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "tasks_open_slots_check"`);
        await queryRunner.query(`DROP INDEX "public"."tasks_unfinished_idx"`);
        await queryRunner.query(`DROP INDEX "public"."assignments_one_active_key"`);
        await queryRunner.query(`DROP TABLE "worker_seen_items"`);
        await queryRunner.query(`DROP TABLE "task_splits"`);
    }

}
