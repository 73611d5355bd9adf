import { MigrationInterface, QueryRunner } from "typeorm";

export class DatasetConsensus1795899753177 implements MigrationInterface {
    name = 'DatasetConsensus1795899753177'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "dataset_consensus" ("dataset_id" uuid NOT NULL, "fleiss_kappa" double precision, "krippendorff_alpha" double precision, "mean_confidence" double precision, "method" character varying(32), "full_run_answers" integer NOT NULL DEFAULT '0', "full_run_requested_answers" integer, "last_full_run_at" TIMESTAMP WITH TIME ZONE, "overlap_budget_exhausted" boolean NOT NULL DEFAULT false, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b13b7a74e59fba2b353af0ee744" PRIMARY KEY ("dataset_id"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "dataset_consensus"`);
    }

}
