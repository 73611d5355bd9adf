import { MigrationInterface, QueryRunner } from "typeorm";

// The ledger's balance guard no longer sums an account's whole history on every debit (a payout
// batch got 160x slower after a year): a running total per account (ledger_balances), kept by the
// same statement trigger in the same transaction, plus the credits still held (one hold period at
// most, found through ledger_entries_account_idx). The same row keeps what the account earned, so
// myEarnings reads no history either. See src/ledger/ledger-balance.entity.ts.
export class LedgerBalances1795930000000 implements MigrationInterface {
    name = 'LedgerBalances1795930000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "ledger_balances" ("account_id" uuid NOT NULL, "total" numeric(78,0) NOT NULL DEFAULT '0', "earned" numeric(78,0) NOT NULL DEFAULT '0', CONSTRAINT "PK_ledger_balances" PRIMARY KEY ("account_id"))`);
        // No entry may land between the backfill and the new trigger.
        await queryRunner.query(`LOCK TABLE ledger_entries IN SHARE MODE`);
        await queryRunner.query(`INSERT INTO ledger_balances (account_id, total, earned)
          SELECT account_id, sum(amount), coalesce(sum(amount) FILTER (WHERE kind IN ('EARNING', 'REVERSAL')), 0) FROM ledger_entries GROUP BY account_id`);
        // 1. Every insert (credit or debit) adds to its accounts' totals (total: every entry;
        //    earned: earnings net of reversals, what myEarnings splits into its four parts); the
        //    upsert locks each row until commit, in account order, so one account's entries queue
        //    here and two many-account statements cannot deadlock.
        // 2. Debits only: the matured balance is the total minus the credits still held. This is a
        //    later statement than the upsert, so under READ COMMITTED its snapshot sees every
        //    entry of every transaction that held the row before us. Debits count whatever their
        //    available_at (now() is each transaction's start: a debit committed first may carry a
        //    later timestamp than ours), exactly as the guard it replaces.
        await queryRunner.query(`CREATE OR REPLACE FUNCTION ledger_entries_guard_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  offender uuid;
BEGIN
  INSERT INTO ledger_balances AS b (account_id, total, earned)
  SELECT account_id, sum(amount), coalesce(sum(amount) FILTER (WHERE kind IN ('EARNING', 'REVERSAL')), 0)
    FROM new_rows GROUP BY account_id ORDER BY account_id
  ON CONFLICT (account_id) DO UPDATE SET total = b.total + EXCLUDED.total, earned = b.earned + EXCLUDED.earned;
  IF NOT EXISTS (SELECT 1 FROM new_rows WHERE amount < 0) THEN
    RETURN NULL;
  END IF;
  SELECT d.account_id INTO offender
    FROM (SELECT account_id, max(available_at) AS at FROM new_rows WHERE amount < 0 GROUP BY account_id) d
    JOIN ledger_balances b ON b.account_id = d.account_id
   WHERE b.total - (SELECT coalesce(sum(l.amount), 0) FROM ledger_entries l
                     WHERE l.account_id = d.account_id AND l.amount > 0 AND l.available_at > greatest(d.at, now())) < 0
   LIMIT 1;
  IF offender IS NOT NULL THEN
    RAISE EXCEPTION 'ledger balance of account % would go negative', offender
      USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_balance_non_negative';
  END IF;
  RETURN NULL;
END $$`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE OR REPLACE FUNCTION ledger_entries_guard_balance() RETURNS trigger LANGUAGE plpgsql AS $$
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
        await queryRunner.query(`DROP TABLE "ledger_balances"`);
    }

}
