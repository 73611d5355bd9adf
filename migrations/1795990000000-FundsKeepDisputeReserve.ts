import { MigrationInterface, QueryRunner } from "typeorm";

// The two money changes that landed side by side, made one: a finished (COMPLETED or CANCELLED)
// dataset's committed is what can still be owed — the price of its ACTIVE and SUBMITTED
// assignments (InFlightCommitment) — PLUS what is left of its dispute reserve (Disputes), which
// stays committed for retroactive acceptances and review rewards until the appeal window is over
// and the reserve is released. Capped, as before, by what the row still reserves.
export class FundsKeepDisputeReserve1795990000000 implements MigrationInterface {
    name = 'FundsKeepDisputeReserve1795990000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(view('d.reward_per_answer * coalesce(f.answers, 0) + d.dispute_reserve'));
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(view('d.reward_per_answer * coalesce(f.answers, 0)'));
    }

}

function view(stillOwed: string): string {
    return `
CREATE OR REPLACE VIEW dataset_funds AS
SELECT d.id, d.budget,
       CASE WHEN d.status IN ('COMPLETED', 'CANCELLED')
            THEN least(d.committed - coalesce(s.amount, 0), ${stillOwed})
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
                      WHERE d.status IN ('COMPLETED', 'CANCELLED') AND x.dataset_id = d.id AND x.status = 'CREDITED') c ON true`;
}
