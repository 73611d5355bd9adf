import { MigrationInterface, QueryRunner } from "typeorm";

// A reviewer's REVIEW_REWARD entries (Disputes) are earnings for myEarnings: ledger_balances.earned
// (LedgerBalances) counted only EARNING and REVERSAL, so a paid review reward showed as negative
// "paid" (paid = earned − total − inFlight). The balance trigger now counts them too, and the
// rewards already booked are added to earned.
export class EarnedCountsReviewRewards1795990000100 implements MigrationInterface {
    name = 'EarnedCountsReviewRewards1795990000100'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`LOCK TABLE ledger_entries IN SHARE MODE`);
        await queryRunner.query(`CREATE OR REPLACE FUNCTION ledger_entries_guard_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  offender uuid;
BEGIN
  INSERT INTO ledger_balances AS b (account_id, total, earned)
  SELECT account_id, sum(amount), coalesce(sum(amount) FILTER (WHERE kind IN ('EARNING', 'REVERSAL', 'REVIEW_REWARD')), 0)
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
        await queryRunner.query(`UPDATE ledger_balances b SET earned = b.earned + r.amount
          FROM (SELECT account_id, sum(amount) AS amount FROM ledger_entries WHERE kind = 'REVIEW_REWARD' GROUP BY account_id) r
         WHERE b.account_id = r.account_id`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`UPDATE ledger_balances b SET earned = b.earned - r.amount
          FROM (SELECT account_id, sum(amount) AS amount FROM ledger_entries WHERE kind = 'REVIEW_REWARD' GROUP BY account_id) r
         WHERE b.account_id = r.account_id`);
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

}
