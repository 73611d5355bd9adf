import { MigrationInterface, QueryRunner } from "typeorm";

// Acceptances add their price to one of a few stripes instead of updating the dataset row
// (src/datasets/dataset-spend.entity.ts). dataset_funds is what budget, committed and spent are,
// stripes included.
export class DatasetSpendStripes1795910100000 implements MigrationInterface {
    name = 'DatasetSpendStripes1795910100000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "dataset_spend" ("dataset_id" uuid NOT NULL, "stripe" smallint NOT NULL, "amount" numeric(78,0) NOT NULL DEFAULT '0', CONSTRAINT "PK_dataset_spend" PRIMARY KEY ("dataset_id", "stripe"))`);
        await queryRunner.query(`
CREATE VIEW dataset_funds AS
SELECT d.id, d.budget, d.committed - coalesce(s.amount, 0) AS committed, d.spent + coalesce(s.amount, 0) AS spent
  FROM datasets d
  LEFT JOIN LATERAL (SELECT sum(x.amount) AS amount FROM dataset_spend x WHERE x.dataset_id = d.id) s ON true`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP VIEW dataset_funds`);
        await queryRunner.query(`DROP TABLE "dataset_spend"`);
    }

}
