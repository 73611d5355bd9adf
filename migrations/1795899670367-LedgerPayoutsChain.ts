import { MigrationInterface, QueryRunner } from "typeorm";

export class LedgerPayoutsChain1795899670367 implements MigrationInterface {
    name = 'LedgerPayoutsChain1795899670367'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "chain_cursors" ("name" character varying(64) NOT NULL, "block_number" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_006347e4e80151b5f3897c5ec04" PRIMARY KEY ("name"))`);
        await queryRunner.query(`CREATE TABLE "chain_deposits" ("id" BIGSERIAL NOT NULL, "tx_hash" character(66) NOT NULL, "log_index" integer NOT NULL, "block_number" bigint NOT NULL, "block_hash" character(66) NOT NULL, "dataset_key" character(66) NOT NULL, "dataset_id" uuid, "from_address" character varying(42) NOT NULL, "amount" numeric(78,0) NOT NULL, "status" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chain_deposits_log_key" UNIQUE ("tx_hash", "log_index"), CONSTRAINT "PK_b4d86b69d5311a14491c561d77d" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "chain_deposits_block_idx" ON "chain_deposits"  ("block_number") `);
        await queryRunner.query(`CREATE TABLE "ledger_unsettled" ("entry_id" bigint NOT NULL, "account_id" uuid NOT NULL, "kind" character varying(24) NOT NULL, "amount" numeric(78,0) NOT NULL, "assignment_id" uuid, "available_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_8cd44af9086f15b425254ebd77e" PRIMARY KEY ("entry_id"))`);
        await queryRunner.query(`CREATE INDEX "ledger_unsettled_account_idx" ON "ledger_unsettled"  ("account_id", "available_at") `);
        await queryRunner.query(`CREATE TABLE "payout_batches" ("id" uuid NOT NULL, "batch_id" character(66) NOT NULL, "manifest_hash" character(66) NOT NULL, "manifest" text NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'PENDING', "recipients" integer NOT NULL, "total" numeric(78,0) NOT NULL, "nonce" bigint, "tx_hash" character(66), "raw_tx" text, "max_fee_per_gas" numeric(78,0), "max_priority_fee_per_gas" numeric(78,0), "gas_limit" numeric(78,0), "submitted_at" TIMESTAMP WITH TIME ZONE, "send_count" integer NOT NULL DEFAULT '0', "from_block" bigint, "block_number" bigint, "block_hash" character(66), "confirmed_at" TIMESTAMP WITH TIME ZONE, "failure_reason" character varying(200), "last_error" character varying(500), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_e7e87b326703f841423f7cd33b1" UNIQUE ("batch_id"), CONSTRAINT "PK_aa57cb1e16d39cc0d41083145e4" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "payout_batches_live_idx" ON "payout_batches"  ("status") WHERE status IN ('PENDING', 'SUBMITTED')`);
        await queryRunner.query(`CREATE INDEX "payout_batches_created_idx" ON "payout_batches"  ("created_at", "id") `);
        await queryRunner.query(`CREATE TABLE "payout_items" ("payout_batch_id" uuid NOT NULL, "account_id" uuid NOT NULL, "address" character varying(42) NOT NULL, "amount" numeric(78,0) NOT NULL, "entry_ids" bigint array NOT NULL, CONSTRAINT "PK_79bbb1b391419313368b4d68aaa" PRIMARY KEY ("payout_batch_id", "account_id"))`);
        await queryRunner.query(`CREATE INDEX "payout_items_account_idx" ON "payout_items"  ("account_id") `);
        await queryRunner.query(`ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_amount_sign_check" CHECK ((kind IN ('EARNING', 'PAYOUT_REVERSAL') AND amount > 0) OR (kind IN ('REVERSAL', 'PAYOUT') AND amount < 0) OR kind NOT IN ('EARNING', 'PAYOUT_REVERSAL', 'REVERSAL', 'PAYOUT'))`);

        // Hand-written (TypeORM does not model triggers); see src/ledger/ledger-entry.entity.ts.
        // 1. Append-only: the ledger is never edited; corrections are new entries.
        await queryRunner.query(`CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_entries is append-only (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END $$`);
        await queryRunner.query(`CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()`);
        await queryRunner.query(`CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_append_only()`);
        // 2. Every earning/reversal enters the settlement queue, whoever writes it.
        await queryRunner.query(`CREATE FUNCTION ledger_entries_enqueue_unsettled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_unsettled (entry_id, account_id, kind, amount, assignment_id, available_at)
  SELECT id, account_id, kind, amount, assignment_id, available_at FROM new_rows WHERE kind IN ('EARNING', 'REVERSAL');
  RETURN NULL;
END $$`);
        await queryRunner.query(`CREATE TRIGGER ledger_entries_enqueue_unsettled AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_enqueue_unsettled()`);
        // 3. No debit may take an account's matured balance below zero. Debits of one account
        //    are serialised by an advisory lock; the sum is a later statement, so under READ
        //    COMMITTED it sees every debit committed before the lock was granted. Debits count
        //    whatever their available_at: now() is each transaction's start time, so a debit
        //    committed first may carry a later timestamp than ours.
        await queryRunner.query(`CREATE FUNCTION ledger_entries_guard_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  offender uuid;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_rows WHERE amount < 0) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(7302, hashtext(d.account_id::text))
     FROM (SELECT DISTINCT account_id FROM new_rows WHERE amount < 0 ORDER BY account_id) d;
  SELECT d.account_id INTO offender
    FROM (SELECT account_id, max(available_at) AS at FROM new_rows WHERE amount < 0 GROUP BY account_id) d
   WHERE (SELECT coalesce(sum(l.amount), 0) FROM ledger_entries l
           WHERE l.account_id = d.account_id AND (l.amount < 0 OR l.available_at <= greatest(d.at, now()))) < 0
   LIMIT 1;
  IF offender IS NOT NULL THEN
    RAISE EXCEPTION 'ledger balance of account % would go negative', offender
      USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_balance_non_negative';
  END IF;
  RETURN NULL;
END $$`);
        await queryRunner.query(`CREATE TRIGGER ledger_entries_guard_balance AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_guard_balance()`);
        // Earnings written before this migration enter the settlement queue too.
        await queryRunner.query(`INSERT INTO ledger_unsettled (entry_id, account_id, kind, amount, assignment_id, available_at) SELECT id, account_id, kind, amount, assignment_id, available_at FROM ledger_entries WHERE kind IN ('EARNING', 'REVERSAL') AND payout_batch_id IS NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER ledger_entries_guard_balance ON ledger_entries`);
        await queryRunner.query(`DROP FUNCTION ledger_entries_guard_balance()`);
        await queryRunner.query(`DROP TRIGGER ledger_entries_enqueue_unsettled ON ledger_entries`);
        await queryRunner.query(`DROP FUNCTION ledger_entries_enqueue_unsettled()`);
        await queryRunner.query(`DROP TRIGGER ledger_entries_no_truncate ON ledger_entries`);
        await queryRunner.query(`DROP TRIGGER ledger_entries_append_only ON ledger_entries`);
        await queryRunner.query(`DROP FUNCTION ledger_entries_append_only()`);
        await queryRunner.query(`ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_amount_sign_check"`);
        await queryRunner.query(`DROP INDEX "public"."payout_items_account_idx"`);
        await queryRunner.query(`DROP TABLE "payout_items"`);
        await queryRunner.query(`DROP INDEX "public"."payout_batches_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."payout_batches_live_idx"`);
        await queryRunner.query(`DROP TABLE "payout_batches"`);
        await queryRunner.query(`DROP INDEX "public"."ledger_unsettled_account_idx"`);
        await queryRunner.query(`DROP TABLE "ledger_unsettled"`);
        await queryRunner.query(`DROP INDEX "public"."chain_deposits_block_idx"`);
        await queryRunner.query(`DROP TABLE "chain_deposits"`);
        await queryRunner.query(`DROP TABLE "chain_cursors"`);
    }

}
