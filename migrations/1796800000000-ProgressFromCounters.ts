import type { MigrationInterface, QueryRunner } from 'typeorm';
import { editFunctions, reversed, type FunctionEdit } from './support/edit-functions';

// A dataset's progress read the rows of its past: its tasks counted by a scan of every task of
// every dataset (tasks has no index on dataset_id alone: 207 ms with 2,000,000 tasks on this
// machine, both cores; a year of datasets is tens of millions), its accepted answers by every
// answer of the dataset (three heap reads an item), its open disputes by every dispute it ever had.
// Polled by an owner watching a million-item dataset, that grew with history.
//
// The labeled-items counter (LabeledItemsCounter, FoldLabeledItems) becomes dataset_counts and
// counts two more things, in the same striped rows (one per database backend that counted,
// folded into row 0 once the backend is gone):
// - tasks: statement triggers on tasks (the split, top-ups, review requeues and anything else
//   that inserts or deletes tasks; never a claim, submit or verdict, which only update them),
//   one upsert a statement from its transition table;
// - accepted_answers: written by the one statement that accepts answers, the verdict's
//   countAcceptedCtes (src/tasks/verdict.repository.ts): one upsert a verdict batch, not one a
//   row as a row trigger would cost on the hot path.
// Open disputes are counted by an index of the open ones of a dataset.
const RENAMED = { table: ['dataset_labeled_items', 'dataset_counts'], pk: ['PK_dataset_labeled_items', 'PK_dataset_counts'] };

// The counter's functions as LabeledItemsCounter and FoldLabeledItems wrote them, edited for the
// renamed table and column; the fold (renamed fold_dataset_counts first) folds all three counts.
const EDITS: FunctionEdit[] = [
  {
    fn: 'count_labeled_items()',
    from: 'INSERT INTO dataset_labeled_items (dataset_id, stripe, n)',
    to: 'INSERT INTO dataset_counts (dataset_id, stripe, labeled_items)',
    times: 1,
  },
  {
    fn: 'count_labeled_items()',
    from: 'SET n = dataset_labeled_items.n + EXCLUDED.n',
    to: 'SET labeled_items = dataset_counts.labeled_items + EXCLUDED.labeled_items',
    times: 1,
  },
  { fn: 'fold_dataset_counts()', from: 'dataset_labeled_items c', to: 'dataset_counts c', times: 2 },
  {
    fn: 'fold_dataset_counts()',
    from: 'RETURNING c.dataset_id, c.n)',
    to: 'RETURNING c.dataset_id, c.labeled_items, c.tasks, c.accepted_answers)',
    times: 1,
  },
  {
    fn: 'fold_dataset_counts()',
    from: 'INSERT INTO dataset_labeled_items (dataset_id, stripe, n)\n    SELECT dataset_id, 0, sum(n) FROM gone',
    to: 'INSERT INTO dataset_counts (dataset_id, stripe, labeled_items, tasks, accepted_answers)\n    SELECT dataset_id, 0, sum(labeled_items), sum(tasks), sum(accepted_answers) FROM gone',
    times: 1,
  },
  {
    fn: 'fold_dataset_counts()',
    from: 'DO UPDATE SET n = dataset_labeled_items.n + EXCLUDED.n)',
    to: 'DO UPDATE SET labeled_items = dataset_counts.labeled_items + EXCLUDED.labeled_items,\n      tasks = dataset_counts.tasks + EXCLUDED.tasks, accepted_answers = dataset_counts.accepted_answers + EXCLUDED.accepted_answers)',
    times: 1,
  },
];

export class ProgressFromCounters1796800000000 implements MigrationInterface {
  name = 'ProgressFromCounters1796800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const [from, to] = RENAMED.table;
    await queryRunner.query(`ALTER TABLE "${from}" RENAME TO "${to}"`);
    await queryRunner.query(`ALTER TABLE "${to}" RENAME CONSTRAINT "${RENAMED.pk[0]}" TO "${RENAMED.pk[1]}"`);
    await queryRunner.query(`ALTER TABLE "dataset_counts" RENAME COLUMN "n" TO "labeled_items"`);
    await queryRunner.query(
      `ALTER TABLE "dataset_counts" ADD "tasks" integer NOT NULL DEFAULT '0', ADD "accepted_answers" integer NOT NULL DEFAULT '0'`,
    );
    // One upsert a statement, datasets in key order (two statements counting the same datasets
    // still never share a row: the stripe is the backend's).
    await queryRunner.query(`
CREATE FUNCTION count_tasks() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO dataset_counts (dataset_id, stripe, tasks)
    SELECT dataset_id, pg_backend_pid(), count(*) FROM added GROUP BY dataset_id ORDER BY dataset_id
    ON CONFLICT (dataset_id, stripe) DO UPDATE SET tasks = dataset_counts.tasks + EXCLUDED.tasks;
  ELSE
    INSERT INTO dataset_counts (dataset_id, stripe, tasks)
    SELECT dataset_id, pg_backend_pid(), -count(*) FROM removed GROUP BY dataset_id ORDER BY dataset_id
    ON CONFLICT (dataset_id, stripe) DO UPDATE SET tasks = dataset_counts.tasks + EXCLUDED.tasks;
  END IF;
  RETURN NULL;
END
$fn$`);
    await queryRunner.query(
      `CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION count_tasks()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION count_tasks()`,
    );
    await queryRunner.query(`ALTER FUNCTION fold_labeled_items() RENAME TO fold_dataset_counts`);
    await editFunctions(queryRunner, EDITS);
    // What exists already, counted under locks that hold off every task insert and every
    // acceptance meanwhile.
    await queryRunner.query(`LOCK TABLE tasks, answers IN SHARE ROW EXCLUSIVE MODE`);
    await queryRunner.query(`
INSERT INTO dataset_counts (dataset_id, stripe, tasks, accepted_answers)
SELECT dataset_id, 0, sum(tasks), sum(accepted_answers) FROM (
  SELECT dataset_id, count(*) AS tasks, 0 AS accepted_answers FROM tasks GROUP BY dataset_id
  UNION ALL
  SELECT dataset_id, 0, count(*) FROM answers WHERE accepted GROUP BY dataset_id) c
 GROUP BY dataset_id
ON CONFLICT (dataset_id, stripe) DO UPDATE SET tasks = EXCLUDED.tasks, accepted_answers = EXCLUDED.accepted_answers`);
    await queryRunner.query(
      `CREATE INDEX "disputes_dataset_open_idx" ON "disputes" ("dataset_id") WHERE status <> 'RESOLVED'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."disputes_dataset_open_idx"`);
    await queryRunner.query(`DROP TRIGGER tasks_count_delete ON tasks`);
    await queryRunner.query(`DROP TRIGGER tasks_count_insert ON tasks`);
    await queryRunner.query(`DROP FUNCTION count_tasks()`);
    await queryRunner.query(`ALTER TABLE "dataset_counts" DROP COLUMN "accepted_answers", DROP COLUMN "tasks"`);
    await queryRunner.query(`ALTER TABLE "dataset_counts" RENAME COLUMN "labeled_items" TO "n"`);
    const [from, to] = RENAMED.table;
    await queryRunner.query(`ALTER TABLE "${to}" RENAME CONSTRAINT "${RENAMED.pk[1]}" TO "${RENAMED.pk[0]}"`);
    await queryRunner.query(`ALTER TABLE "${to}" RENAME TO "${from}"`);
    await editFunctions(queryRunner, reversed(EDITS));
    await queryRunner.query(`ALTER FUNCTION fold_dataset_counts() RENAME TO fold_labeled_items`);
  }
}
