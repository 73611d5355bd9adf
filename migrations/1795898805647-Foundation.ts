import { MigrationInterface, QueryRunner } from "typeorm";

export class Foundation1795898805647 implements MigrationInterface {
    name = 'Foundation1795898805647'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TYPE "public"."account_role" AS ENUM('LABELER', 'REQUESTER', 'REVIEWER', 'ADMIN')`);
        await queryRunner.query(`CREATE TABLE "accounts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "address" character varying(42) NOT NULL, "roles" "public"."account_role" array NOT NULL DEFAULT '{LABELER}', "blocked" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_48ec5fcf335b99d4792dd5e4537" UNIQUE ("address"), CONSTRAINT "PK_5a7a02c20412299d198e097a8fe" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "prefix" character varying(16) NOT NULL, "key_hash" character(64) NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_57384430aa1959f4578046c9b81" UNIQUE ("key_hash"), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_decaf331589778e33441b2a8d9" ON "api_keys"  ("account_id") `);
        await queryRunner.query(`CREATE TABLE "auth_nonces" ("nonce" character varying(64) NOT NULL, "address" character varying(42) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a7080c443def2e46ba5c4b87f38" PRIMARY KEY ("nonce"))`);
        await queryRunner.query(`CREATE INDEX "IDX_9efdf3ceb5219ac7f814fcb33c" ON "auth_nonces"  ("expires_at") `);
        await queryRunner.query(`CREATE TABLE "audit_events" ("id" BIGSERIAL NOT NULL, "actor_id" uuid, "action" character varying(64) NOT NULL, "subject" character varying(128) NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_1d9d74d17b9a19fcab42e5a9dc" ON "audit_events"  ("subject") `);
        await queryRunner.query(`CREATE TABLE "outbox" ("id" BIGSERIAL NOT NULL, "queue" character varying(64) NOT NULL, "job_name" character varying(64) NOT NULL, "payload" jsonb NOT NULL, "job_id" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "dispatched_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_340ab539f309f03bdaa14aa7649" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "outbox_pending_idx" ON "outbox"  ("id") WHERE dispatched_at IS NULL`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_decaf331589778e33441b2a8d9e" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_decaf331589778e33441b2a8d9e"`);
        await queryRunner.query(`DROP INDEX "public"."outbox_pending_idx"`);
        await queryRunner.query(`DROP TABLE "outbox"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_1d9d74d17b9a19fcab42e5a9dc"`);
        await queryRunner.query(`DROP TABLE "audit_events"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_9efdf3ceb5219ac7f814fcb33c"`);
        await queryRunner.query(`DROP TABLE "auth_nonces"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_decaf331589778e33441b2a8d9"`);
        await queryRunner.query(`DROP TABLE "api_keys"`);
        await queryRunner.query(`DROP TABLE "accounts"`);
        await queryRunner.query(`DROP TYPE "public"."account_role"`);
    }

}
