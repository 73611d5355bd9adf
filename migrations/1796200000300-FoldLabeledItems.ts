import type { MigrationInterface, QueryRunner } from 'typeorm';

// dataset_labeled_items gets a row per (dataset, database backend) that ever changed a labeled
// status: a pool that reconnects leaves rows of backends long gone, and the completion check and
// progress, which sum a dataset's rows, would read more of them the longer the dataset lives.
// fold_labeled_items() moves the counts of backends that no longer exist into the dataset's row 0
// (the one the counter started from), in one statement. The rows it folds are locked in key order
// and rows locked by anyone else are left for the next fold (SKIP LOCKED): a new backend that got a
// dead one's pid and is counting into its row right now is never waited for, nor can it deadlock
// with the fold, and a count it commits first is folded with the row. Two folds at once fold a row
// once. Returns the rows folded. Run periodically by the worker (tasks.fold-labeled-items).
export class FoldLabeledItems1796200000300 implements MigrationInterface {
  name = 'FoldLabeledItems1796200000300';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
CREATE FUNCTION fold_labeled_items() RETURNS int LANGUAGE sql AS $fn$
  WITH dead AS (
    SELECT c.dataset_id, c.stripe FROM dataset_labeled_items c
     WHERE c.stripe <> 0 AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = c.stripe)
     ORDER BY c.dataset_id, c.stripe
       FOR UPDATE SKIP LOCKED),
  gone AS (
    DELETE FROM dataset_labeled_items c USING dead WHERE c.dataset_id = dead.dataset_id AND c.stripe = dead.stripe
    RETURNING c.dataset_id, c.n),
  folded AS (
    INSERT INTO dataset_labeled_items (dataset_id, stripe, n)
    SELECT dataset_id, 0, sum(n) FROM gone GROUP BY dataset_id ORDER BY dataset_id
    ON CONFLICT (dataset_id, stripe) DO UPDATE SET n = dataset_labeled_items.n + EXCLUDED.n)
  SELECT count(*)::int FROM gone
$fn$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION fold_labeled_items()`);
  }
}
