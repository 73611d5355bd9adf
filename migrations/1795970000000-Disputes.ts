import { MigrationInterface, QueryRunner } from "typeorm";

// Reviewers and disputes (issue "Reviewers and disputes: the third kind of user gets a real
// workflow"): the cases (disputes), the decisions taken on items (dispute_decisions), background
// gold re-scores (gold_rescores); per dataset the review reward, appeal window and dispute
// reserve; the gold version of gold items; late acceptances of assignments; each worker's last
// verdict (the appeal window of a dataset runs from the latest); and REVIEW_REWARD ledger
// entries, which are paid in the normal payout batches like earnings.
export class Disputes1795970000000 implements MigrationInterface {
    name = 'Disputes1795970000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "dispute_decisions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "dispute_id" uuid NOT NULL, "item_id" uuid NOT NULL, "reviewer_id" uuid NOT NULL, "verdict" character varying(16) NOT NULL, "gold_version" integer, "result" jsonb, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_0a50f5902c7c969bcf1fbb23a46" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "dispute_decisions_reviewer_idx" ON "dispute_decisions"  ("reviewer_id") `);
        await queryRunner.query(`CREATE INDEX "dispute_decisions_item_idx" ON "dispute_decisions"  ("item_id", "decided_at") `);
        await queryRunner.query(`CREATE TABLE "disputes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "dataset_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'OPEN', "priority" smallint NOT NULL, "item_id" uuid, "assignment_id" uuid, "item_ids" uuid array NOT NULL, "raised_by" uuid, "reason" text, "signals" integer NOT NULL DEFAULT '1', "gold_version" integer, "reviewer_id" uuid, "leased_at" TIMESTAMP WITH TIME ZONE, "lease_expires_at" TIMESTAMP WITH TIME ZONE, "escalated_by" uuid, "escalated_at" TIMESTAMP WITH TIME ZONE, "escalation_note" text, "outcome" character varying(16), "note" text, "resolved_by" uuid, "resolved_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3c97580d01c1a4b0b345c42a107" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "disputes_escalated_by_idx" ON "disputes"  ("escalated_by") WHERE escalated_by IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "disputes_resolved_by_idx" ON "disputes"  ("resolved_by") WHERE resolved_by IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "disputes_reviewer_open_idx" ON "disputes"  ("reviewer_id") WHERE status <> 'RESOLVED'`);
        await queryRunner.query(`CREATE INDEX "disputes_raised_by_idx" ON "disputes"  ("raised_by", "created_at", "id") WHERE raised_by IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "disputes_created_idx" ON "disputes"  ("created_at", "id") `);
        await queryRunner.query(`CREATE INDEX "disputes_dataset_created_idx" ON "disputes"  ("dataset_id", "created_at", "id") `);
        await queryRunner.query(`CREATE INDEX "disputes_queue_idx" ON "disputes"  ("priority", "created_at", "id") WHERE status <> 'RESOLVED'`);
        await queryRunner.query(`CREATE UNIQUE INDEX "disputes_one_open_case_key" ON "disputes"  ("item_id", "kind") WHERE status <> 'RESOLVED' AND item_id IS NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "disputes_one_appeal_key" ON "disputes"  ("assignment_id") WHERE kind = 'APPEAL'`);
        await queryRunner.query(`CREATE TABLE "gold_rescores" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "dataset_id" uuid NOT NULL, "item_id" uuid NOT NULL, "gold_version" integer NOT NULL, "cursor" uuid, "earmark" numeric(78,0) NOT NULL, "paid" numeric(78,0) NOT NULL DEFAULT '0', "workers" integer NOT NULL DEFAULT '0', "accepted" integer NOT NULL DEFAULT '0', "unblocked" integer NOT NULL DEFAULT '0', "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "gold_rescores_item_version_key" UNIQUE ("item_id", "gold_version"), CONSTRAINT "PK_84d5ea44f3dc088ef78064111fe" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "gold_rescores_unfinished_idx" ON "gold_rescores"  ("requested_at") WHERE finished_at IS NULL`);
        await queryRunner.query(`ALTER TABLE "datasets" ADD "review_reward" numeric(78,0) NOT NULL DEFAULT '0'`);
        await queryRunner.query(`ALTER TABLE "datasets" ADD "appeal_window_seconds" integer NOT NULL DEFAULT '604800'`);
        await queryRunner.query(`ALTER TABLE "datasets" ADD "dispute_reserve_percent" integer NOT NULL DEFAULT '10'`);
        await queryRunner.query(`ALTER TABLE "datasets" ADD "dispute_reserve" numeric(78,0) NOT NULL DEFAULT '0'`);
        await queryRunner.query(`ALTER TABLE "items" ADD "gold_version" integer NOT NULL DEFAULT '0'`);
        await queryRunner.query(`ALTER TABLE "worker_stats" ADD "last_verdict_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "assignments" ADD "late_accepted_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "assignments" ADD "beyond_slots" boolean NOT NULL DEFAULT false`);
        await queryRunner.query(`CREATE INDEX "worker_stats_dataset_idx" ON "worker_stats"  ("dataset_id") `);
        await queryRunner.query(`CREATE INDEX "datasets_reserve_held_idx" ON "datasets"  ("id") WHERE dispute_reserve > 0 AND status IN ('COMPLETED', 'CANCELLED')`);
        await queryRunner.query(`
UPDATE worker_stats w SET last_verdict_at = v.at
  FROM (SELECT worker_id, dataset_id, max(verdict_at) AS at FROM assignments WHERE verdict_at IS NOT NULL GROUP BY worker_id, dataset_id) v
 WHERE w.worker_id = v.worker_id AND w.dataset_id = v.dataset_id`);

        // Review rewards are credits like earnings: positive, and queued for settlement.
        await queryRunner.query(`ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_amount_sign_check"`);
        await queryRunner.query(`ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_amount_sign_check" CHECK ((kind IN ('EARNING', 'PAYOUT_REVERSAL', 'REVIEW_REWARD') AND amount > 0) OR (kind IN ('REVERSAL', 'PAYOUT') AND amount < 0) OR kind NOT IN ('EARNING', 'PAYOUT_REVERSAL', 'REVIEW_REWARD', 'REVERSAL', 'PAYOUT'))`);
        await queryRunner.query(ENQUEUE_UNSETTLED(['EARNING', 'REVERSAL', 'REVIEW_REWARD']));

        // Items left DISPUTED before cases existed get their LOW_AGREEMENT case now.
        await queryRunner.query(`
INSERT INTO disputes (dataset_id, kind, status, priority, item_id, item_ids)
SELECT i.dataset_id, 'LOW_AGREEMENT', 'OPEN', 0, i.id, ARRAY[i.id]
  FROM items i
 WHERE i.status = 'DISPUTED' AND NOT i.is_gold
   AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.item_id = i.id AND d.status <> 'RESOLVED')
 ORDER BY i.seq`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(ENQUEUE_UNSETTLED(['EARNING', 'REVERSAL']));
        await queryRunner.query(`ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_amount_sign_check"`);
        await queryRunner.query(`ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_amount_sign_check" CHECK ((kind IN ('EARNING', 'PAYOUT_REVERSAL') AND amount > 0) OR (kind IN ('REVERSAL', 'PAYOUT') AND amount < 0) OR kind NOT IN ('EARNING', 'PAYOUT_REVERSAL', 'REVERSAL', 'PAYOUT'))`);
        await queryRunner.query(`DROP INDEX "public"."datasets_reserve_held_idx"`);
        await queryRunner.query(`DROP INDEX "public"."worker_stats_dataset_idx"`);
        await queryRunner.query(`ALTER TABLE "assignments" DROP COLUMN "beyond_slots"`);
        await queryRunner.query(`ALTER TABLE "assignments" DROP COLUMN "late_accepted_at"`);
        await queryRunner.query(`ALTER TABLE "worker_stats" DROP COLUMN "last_verdict_at"`);
        await queryRunner.query(`ALTER TABLE "items" DROP COLUMN "gold_version"`);
        await queryRunner.query(`ALTER TABLE "datasets" DROP COLUMN "dispute_reserve"`);
        await queryRunner.query(`ALTER TABLE "datasets" DROP COLUMN "dispute_reserve_percent"`);
        await queryRunner.query(`ALTER TABLE "datasets" DROP COLUMN "appeal_window_seconds"`);
        await queryRunner.query(`ALTER TABLE "datasets" DROP COLUMN "review_reward"`);
        await queryRunner.query(`DROP INDEX "public"."gold_rescores_unfinished_idx"`);
        await queryRunner.query(`DROP TABLE "gold_rescores"`);
        await queryRunner.query(`DROP INDEX "public"."disputes_one_appeal_key"`);
        await queryRunner.query(`DROP INDEX "public"."disputes_one_open_case_key"`);
        await queryRunner.query(`DROP INDEX "public"."disputes_queue_idx"`);
        await queryRunner.query(`DROP INDEX "public"."disputes_dataset_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."disputes_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."disputes_raised_by_idx"`);
        await queryRunner.query(`DROP INDEX "public"."disputes_reviewer_open_idx"`);
        await queryRunner.query(`DROP INDEX "public"."disputes_resolved_by_idx"`);
        await queryRunner.query(`DROP INDEX "public"."disputes_escalated_by_idx"`);
        await queryRunner.query(`DROP TABLE "disputes"`);
        await queryRunner.query(`DROP INDEX "public"."dispute_decisions_item_idx"`);
        await queryRunner.query(`DROP INDEX "public"."dispute_decisions_reviewer_idx"`);
        await queryRunner.query(`DROP TABLE "dispute_decisions"`);
    }

}

// The settlement-queue trigger function of LedgerPayoutsChain, for the given credit/debit kinds.
function ENQUEUE_UNSETTLED(kinds: string[]): string {
    return `CREATE OR REPLACE FUNCTION ledger_entries_enqueue_unsettled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_unsettled (entry_id, account_id, kind, amount, assignment_id, available_at)
  SELECT id, account_id, kind, amount, assignment_id, available_at FROM new_rows WHERE kind IN (${kinds.map((k) => `'${k}'`).join(', ')});
  RETURN NULL;
END $$`;
}
