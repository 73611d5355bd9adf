import { MigrationInterface, QueryRunner } from "typeorm";

export class DatasetsTasksLedger1795899196245 implements MigrationInterface {
    name = 'DatasetsTasksLedger1795899196245'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "datasets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "instructions" text, "label_schema" jsonb NOT NULL, "answers_per_item" integer NOT NULL, "max_answers_per_item" integer NOT NULL, "target_confidence" double precision, "items_per_task" integer NOT NULL, "gold_per_task" integer NOT NULL DEFAULT '0', "reward_per_answer" numeric(78,0) NOT NULL, "min_gold_accuracy" double precision, "lease_seconds" integer NOT NULL DEFAULT '600', "aggregation" character varying(32) NOT NULL DEFAULT 'DAWID_SKENE', "budget" numeric(78,0) NOT NULL DEFAULT '0', "committed" numeric(78,0) NOT NULL DEFAULT '0', "spent" numeric(78,0) NOT NULL DEFAULT '0', "status" character varying(16) NOT NULL DEFAULT 'DRAFT', "deposit_key" character(66) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_ec2cab01d6f453cc09e6ab68181" UNIQUE ("deposit_key"), CONSTRAINT "PK_1bf831e43c559a240303e23d038" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "datasets_owner_created_idx" ON "datasets"  ("owner_id", "created_at", "id") `);
        await queryRunner.query(`CREATE TABLE "items" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "seq" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "dataset_id" uuid NOT NULL, "external_id" character varying(256), "payload" jsonb NOT NULL, "is_gold" boolean NOT NULL DEFAULT false, "gold_label" jsonb, "status" character varying(16) NOT NULL DEFAULT 'PENDING', "answer_count" integer NOT NULL DEFAULT '0', "answers_wanted" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "items_dataset_external_id_key" UNIQUE ("dataset_id", "external_id"), CONSTRAINT "PK_ba5885359424c15ca6b9e79bcf6" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "items_dataset_gold_idx" ON "items"  ("dataset_id") WHERE is_gold`);
        await queryRunner.query(`CREATE INDEX "items_dataset_seq_idx" ON "items"  ("dataset_id", "seq") `);
        await queryRunner.query(`CREATE TABLE "ledger_entries" ("id" BIGSERIAL NOT NULL, "account_id" uuid NOT NULL, "kind" character varying(24) NOT NULL, "amount" numeric(78,0) NOT NULL, "dataset_id" uuid, "assignment_id" uuid, "payout_batch_id" uuid, "available_at" TIMESTAMP WITH TIME ZONE NOT NULL, "idempotency_key" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_87365c6d1bdfe31d9aca7a2d1c0" UNIQUE ("idempotency_key"), CONSTRAINT "PK_6efcb84411d3f08b08450ae75d5" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ledger_entries_account_idx" ON "ledger_entries"  ("account_id", "available_at") `);
        await queryRunner.query(`CREATE TABLE "item_results" ("item_id" uuid NOT NULL, "dataset_id" uuid NOT NULL, "label" jsonb, "confidence" double precision, "answers" integer NOT NULL, "method" character varying(32) NOT NULL, "version" integer NOT NULL DEFAULT '1', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ed42137fd2ce7074a32807cfdc5" PRIMARY KEY ("item_id"))`);
        await queryRunner.query(`CREATE INDEX "item_results_dataset_idx" ON "item_results"  ("dataset_id", "item_id") `);
        await queryRunner.query(`CREATE TABLE "worker_stats" ("worker_id" uuid NOT NULL, "dataset_id" uuid NOT NULL, "answers" integer NOT NULL DEFAULT '0', "gold_seen" integer NOT NULL DEFAULT '0', "gold_correct" integer NOT NULL DEFAULT '0', "estimated_accuracy" double precision, "blocked" boolean NOT NULL DEFAULT false, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5e791e3483363eebb500da29a1c" PRIMARY KEY ("worker_id", "dataset_id"))`);
        await queryRunner.query(`CREATE TABLE "answers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "assignment_id" uuid NOT NULL, "dataset_id" uuid NOT NULL, "item_id" uuid NOT NULL, "worker_id" uuid NOT NULL, "value" jsonb NOT NULL, "is_gold" boolean NOT NULL DEFAULT false, "accepted" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "answers_item_worker_key" UNIQUE ("item_id", "worker_id"), CONSTRAINT "PK_9c32cec6c71e06da0254f2226c6" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "answers_dataset_idx" ON "answers"  ("dataset_id", "item_id") `);
        await queryRunner.query(`CREATE INDEX "answers_assignment_idx" ON "answers"  ("assignment_id") `);
        await queryRunner.query(`CREATE TABLE "assignments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "task_id" uuid NOT NULL, "dataset_id" uuid NOT NULL, "worker_id" uuid NOT NULL, "item_ids" uuid array NOT NULL, "gold_item_ids" uuid array NOT NULL DEFAULT '{}', "status" character varying(16) NOT NULL DEFAULT 'ACTIVE', "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "submitted_at" TIMESTAMP WITH TIME ZONE, "submission_hash" character(64), "gold_correct" integer, "gold_total" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "assignments_task_worker_key" UNIQUE ("task_id", "worker_id"), CONSTRAINT "PK_c54ca359535e0012b04dcbd80ee" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "assignments_active_expiry_idx" ON "assignments"  ("expires_at") WHERE status = 'ACTIVE'`);
        await queryRunner.query(`CREATE INDEX "assignments_worker_idx" ON "assignments"  ("worker_id", "status") `);
        await queryRunner.query(`CREATE TABLE "tasks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "seq" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "dataset_id" uuid NOT NULL, "item_ids" uuid array NOT NULL, "slots" integer NOT NULL, "open_slots" integer NOT NULL, "accepted_count" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8d12ff38fcc62aaba2cab748772" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "tasks_claimable_idx" ON "tasks"  ("dataset_id", "seq") WHERE open_slots > 0`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."tasks_claimable_idx"`);
        await queryRunner.query(`DROP TABLE "tasks"`);
        await queryRunner.query(`DROP INDEX "public"."assignments_worker_idx"`);
        await queryRunner.query(`DROP INDEX "public"."assignments_active_expiry_idx"`);
        await queryRunner.query(`DROP TABLE "assignments"`);
        await queryRunner.query(`DROP INDEX "public"."answers_assignment_idx"`);
        await queryRunner.query(`DROP INDEX "public"."answers_dataset_idx"`);
        await queryRunner.query(`DROP TABLE "answers"`);
        await queryRunner.query(`DROP TABLE "worker_stats"`);
        await queryRunner.query(`DROP INDEX "public"."item_results_dataset_idx"`);
        await queryRunner.query(`DROP TABLE "item_results"`);
        await queryRunner.query(`DROP INDEX "public"."ledger_entries_account_idx"`);
        await queryRunner.query(`DROP TABLE "ledger_entries"`);
        await queryRunner.query(`DROP INDEX "public"."items_dataset_seq_idx"`);
        await queryRunner.query(`DROP INDEX "public"."items_dataset_gold_idx"`);
        await queryRunner.query(`DROP TABLE "items"`);
        await queryRunner.query(`DROP INDEX "public"."datasets_owner_created_idx"`);
        await queryRunner.query(`DROP TABLE "datasets"`);
    }

}
