import { MigrationInterface, QueryRunner } from "typeorm";

export class DatasetCountersAndIndexes1795899860176 implements MigrationInterface {
    name = 'DatasetCountersAndIndexes1795899860176'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "datasets" ADD "item_count" integer NOT NULL DEFAULT '0'`);
        await queryRunner.query(`ALTER TABLE "datasets" ADD "gold_item_count" integer NOT NULL DEFAULT '0'`);
        await queryRunner.query(`CREATE INDEX "datasets_status_created_idx" ON "datasets"  ("status", "created_at", "id") `);
        await queryRunner.query(`CREATE INDEX "items_dataset_labeled_idx" ON "items"  ("dataset_id") WHERE status IN ('LABELED', 'RESOLVED') AND NOT is_gold`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."items_dataset_labeled_idx"`);
        await queryRunner.query(`DROP INDEX "public"."datasets_status_created_idx"`);
        await queryRunner.query(`ALTER TABLE "datasets" DROP COLUMN "gold_item_count"`);
        await queryRunner.query(`ALTER TABLE "datasets" DROP COLUMN "item_count"`);
    }

}
