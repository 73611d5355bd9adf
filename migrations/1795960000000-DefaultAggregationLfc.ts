import { MigrationInterface, QueryRunner } from "typeorm";

// New datasets default to LFC, the method leave-one-dataset-out chose (issue #15,
// docs/consensus.md). Existing datasets keep the method they were created with.
export class DefaultAggregationLfc1795960000000 implements MigrationInterface {
    name = 'DefaultAggregationLfc1795960000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "datasets" ALTER COLUMN "aggregation" SET DEFAULT 'LFC'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "datasets" ALTER COLUMN "aggregation" SET DEFAULT 'DAWID_SKENE'`);
    }

}
