import type { MigrationInterface, QueryRunner } from 'typeorm';

// The labeled regular items of a dataset (status LABELED or RESOLVED, not gold) as a counter
// instead of the partial index items_dataset_labeled_idx. The index had `status` in its predicate,
// and PostgreSQL never makes an update HOT when a column an index reads changes, so every status
// change of an item (PENDING → IN_PROGRESS → LABELED, three or four per item) wrote a new entry in
// each of the item's indexes. Without it, those updates are HOT when the page has room:
// fillfactor 90 leaves room in the pages bulk ingest fills (pages written from now on).
//
// A row trigger keeps the counter in the statement that changes the status, for every writer
// (verdicts, consensus, review, top-ups, a hand-written fix): its WHEN clause is checked without
// calling the function, so only an item that enters or leaves "labeled" costs an upsert.
// Each backend adds to its own row (stripe = its pid): two transactions in flight never share a
// row, so counting never waits on a lock nor takes part in a deadlock. A dataset's rows are as
// many as the connections that ever labeled its items; the count is their sum.
export class LabeledItemsCounter1796100000000 implements MigrationInterface {
  name = 'LabeledItemsCounter1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "dataset_labeled_items" ("dataset_id" uuid NOT NULL, "stripe" integer NOT NULL, "n" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_dataset_labeled_items" PRIMARY KEY ("dataset_id", "stripe"))`,
    );
    await queryRunner.query(`
CREATE FUNCTION count_labeled_items() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  dataset uuid;
  delta int;
BEGIN
  IF TG_OP = 'DELETE' THEN
    dataset := OLD.dataset_id; delta := -1;
  ELSIF TG_OP = 'INSERT' THEN
    dataset := NEW.dataset_id; delta := 1;
  ELSE
    dataset := NEW.dataset_id; delta := CASE WHEN NEW.status IN ('LABELED', 'RESOLVED') THEN 1 ELSE -1 END;
  END IF;
  INSERT INTO dataset_labeled_items (dataset_id, stripe, n) VALUES (dataset, pg_backend_pid(), delta)
  ON CONFLICT (dataset_id, stripe) DO UPDATE SET n = dataset_labeled_items.n + EXCLUDED.n;
  RETURN NULL;
END
$fn$`);
    await queryRunner.query(`
CREATE TRIGGER items_count_labeled_update AFTER UPDATE OF status ON items FOR EACH ROW
  WHEN (NOT NEW.is_gold AND (OLD.status IN ('LABELED', 'RESOLVED')) <> (NEW.status IN ('LABELED', 'RESOLVED')))
  EXECUTE FUNCTION count_labeled_items()`);
    await queryRunner.query(`
CREATE TRIGGER items_count_labeled_insert AFTER INSERT ON items FOR EACH ROW
  WHEN (NOT NEW.is_gold AND NEW.status IN ('LABELED', 'RESOLVED'))
  EXECUTE FUNCTION count_labeled_items()`);
    await queryRunner.query(`
CREATE TRIGGER items_count_labeled_delete AFTER DELETE ON items FOR EACH ROW
  WHEN (NOT OLD.is_gold AND OLD.status IN ('LABELED', 'RESOLVED'))
  EXECUTE FUNCTION count_labeled_items()`);
    // Items already labeled, counted under a lock that holds every status change off meanwhile.
    await queryRunner.query(`LOCK TABLE items IN SHARE ROW EXCLUSIVE MODE`);
    await queryRunner.query(
      `INSERT INTO dataset_labeled_items (dataset_id, stripe, n)
       SELECT dataset_id, 0, count(*) FROM items WHERE status IN ('LABELED', 'RESOLVED') AND NOT is_gold GROUP BY dataset_id`,
    );
    await queryRunner.query(`DROP INDEX "public"."items_dataset_labeled_idx"`);
    await queryRunner.query(`ALTER TABLE items SET (fillfactor = 90)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE items RESET (fillfactor)`);
    await queryRunner.query(
      `CREATE INDEX "items_dataset_labeled_idx" ON "items" ("dataset_id") WHERE status IN ('LABELED', 'RESOLVED') AND NOT is_gold`,
    );
    await queryRunner.query(`DROP TRIGGER items_count_labeled_delete ON items`);
    await queryRunner.query(`DROP TRIGGER items_count_labeled_insert ON items`);
    await queryRunner.query(`DROP TRIGGER items_count_labeled_update ON items`);
    await queryRunner.query(`DROP FUNCTION count_labeled_items()`);
    await queryRunner.query(`DROP TABLE "dataset_labeled_items"`);
  }
}
