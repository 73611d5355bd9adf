import { MigrationInterface, QueryRunner } from "typeorm";

// New datasets default to IBCC, the method leave-one-dataset-out chose (issue #15,
// docs/consensus.md). Existing datasets keep the method they were created with.
export class DefaultAggregationIbcc1795960000000 implements MigrationInterface {
    name = 'DefaultAggregationIbcc1795960000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "datasets" ALTER COLUMN "aggregation" SET DEFAULT 'IBCC'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "datasets" ALTER COLUMN "aggregation" SET DEFAULT 'DAWID_SKENE'`);
    }

}
