import { MigrationInterface, QueryRunner } from "typeorm";

// On-chain refunds of unspent budget (PayoutVault.refund). A refund is a one-recipient vault
// transaction with the life cycle of a payout batch, so it is a payout_batches row of kind REFUND
// (same write-ahead signing, nonce reservation, reconciliation and reorg handling);
// datasets.refunded counts what was sent or is being sent. dataset_funds gains the facts the
// refund decision needs: refunded, what on-chain deposits credited, and the assignments still in
// flight of a COMPLETED or CANCELLED dataset.
export class DatasetRefunds1795930000200 implements MigrationInterface {
    name = 'DatasetRefunds1795930000200'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "datasets" ADD "refunded" numeric(78,0) NOT NULL DEFAULT '0'`);
        await queryRunner.query(`ALTER TABLE "payout_batches" ADD "kind" character varying(16) NOT NULL DEFAULT 'PAYOUT'`);
        await queryRunner.query(`ALTER TABLE "payout_batches" ADD "dataset_id" uuid`);
        await queryRunner.query(`CREATE UNIQUE INDEX "payout_batches_one_live_refund" ON "payout_batches" ("dataset_id") WHERE kind = 'REFUND' AND status IN ('PENDING', 'SUBMITTED')`);
        await queryRunner.query(`CREATE INDEX "chain_deposits_dataset_idx" ON "chain_deposits" ("dataset_id") WHERE status = 'CREDITED'`);
        await queryRunner.query(`ALTER TABLE "datasets" ADD CONSTRAINT "datasets_refunded_check" CHECK (refunded >= 0)`);
        await queryRunner.query(`
CREATE OR REPLACE VIEW dataset_funds AS
SELECT d.id, d.budget,
       CASE WHEN d.status IN ('COMPLETED', 'CANCELLED')
            THEN least(d.committed - coalesce(s.amount, 0), d.reward_per_answer * coalesce(f.answers, 0))
            ELSE d.committed - coalesce(s.amount, 0) END AS committed,
       d.spent + coalesce(s.amount, 0) AS spent,
       d.refunded,
       coalesce(c.amount, 0) AS deposited,
       coalesce(f.active, 0) AS active_assignments,
       coalesce(f.submitted, 0) AS submitted_assignments
  FROM datasets d
  LEFT JOIN LATERAL (SELECT sum(x.amount) AS amount FROM dataset_spend x WHERE x.dataset_id = d.id) s ON true
  LEFT JOIN LATERAL (SELECT sum(cardinality(a.item_ids)) AS answers, count(*) FILTER (WHERE a.status = 'ACTIVE')::int AS active,
                            count(*) FILTER (WHERE a.status = 'SUBMITTED')::int AS submitted
                       FROM assignments a
                      WHERE d.status IN ('COMPLETED', 'CANCELLED') AND a.dataset_id = d.id AND a.status IN ('ACTIVE', 'SUBMITTED')) f ON true
  LEFT JOIN LATERAL (SELECT sum(x.amount) AS amount FROM chain_deposits x
                      WHERE d.status IN ('COMPLETED', 'CANCELLED') AND x.dataset_id = d.id AND x.status = 'CREDITED') c ON true`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP VIEW dataset_funds`);
        await queryRunner.query(`
CREATE VIEW dataset_funds AS
SELECT d.id, d.budget,
       CASE WHEN d.status IN ('COMPLETED', 'CANCELLED')
            THEN least(d.committed - coalesce(s.amount, 0), d.reward_per_answer * coalesce(f.answers, 0))
            ELSE d.committed - coalesce(s.amount, 0) END AS committed,
       d.spent + coalesce(s.amount, 0) AS spent
  FROM datasets d
  LEFT JOIN LATERAL (SELECT sum(x.amount) AS amount FROM dataset_spend x WHERE x.dataset_id = d.id) s ON true
  LEFT JOIN LATERAL (SELECT sum(cardinality(a.item_ids)) AS answers FROM assignments a
                      WHERE d.status IN ('COMPLETED', 'CANCELLED') AND a.dataset_id = d.id AND a.status IN ('ACTIVE', 'SUBMITTED')) f ON true`);
        await queryRunner.query(`ALTER TABLE "datasets" DROP CONSTRAINT "datasets_refunded_check"`);
        await queryRunner.query(`DROP INDEX "public"."chain_deposits_dataset_idx"`);
        await queryRunner.query(`DROP INDEX "public"."payout_batches_one_live_refund"`);
        await queryRunner.query(`ALTER TABLE "payout_batches" DROP COLUMN "dataset_id"`);
        await queryRunner.query(`ALTER TABLE "payout_batches" DROP COLUMN "kind"`);
        await queryRunner.query(`ALTER TABLE "datasets" DROP COLUMN "refunded"`);
    }

}
