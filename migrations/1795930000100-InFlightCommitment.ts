import { MigrationInterface, QueryRunner } from "typeorm";

// Cancel stranded committed money: the commitment of assignments that could never be paid any
// more (leases that lapsed or were refused after a cancel) stayed committed forever. Now, once a
// dataset is COMPLETED or CANCELLED, its committed is derived from what can still be owed: the
// price of its assignments still ACTIVE or SUBMITTED (waiting for a verdict), capped by what was
// reserved. Every path that ends an assignment (verdict, lease expiry, release, cancel) lowers it
// by itself, whoever writes it. assignments_in_flight_idx finds those assignments without a scan.
export class InFlightCommitment1795930000100 implements MigrationInterface {
    name = 'InFlightCommitment1795930000100'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "assignments_in_flight_idx" ON "assignments" ("dataset_id") WHERE status IN ('ACTIVE', 'SUBMITTED')`);
        await queryRunner.query(`
CREATE OR REPLACE VIEW dataset_funds AS
SELECT d.id, d.budget,
       CASE WHEN d.status IN ('COMPLETED', 'CANCELLED')
            THEN least(d.committed - coalesce(s.amount, 0), d.reward_per_answer * coalesce(f.answers, 0))
            ELSE d.committed - coalesce(s.amount, 0) END AS committed,
       d.spent + coalesce(s.amount, 0) AS spent
  FROM datasets d
  LEFT JOIN LATERAL (SELECT sum(x.amount) AS amount FROM dataset_spend x WHERE x.dataset_id = d.id) s ON true
  LEFT JOIN LATERAL (SELECT sum(cardinality(a.item_ids)) AS answers FROM assignments a
                      WHERE d.status IN ('COMPLETED', 'CANCELLED') AND a.dataset_id = d.id AND a.status IN ('ACTIVE', 'SUBMITTED')) f ON true`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
CREATE OR REPLACE VIEW dataset_funds AS
SELECT d.id, d.budget, d.committed - coalesce(s.amount, 0) AS committed, d.spent + coalesce(s.amount, 0) AS spent
  FROM datasets d
  LEFT JOIN LATERAL (SELECT sum(x.amount) AS amount FROM dataset_spend x WHERE x.dataset_id = d.id) s ON true`);
        await queryRunner.query(`DROP INDEX "public"."assignments_in_flight_idx"`);
    }

}
