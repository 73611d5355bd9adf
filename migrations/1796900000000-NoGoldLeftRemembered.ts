import type { MigrationInterface, QueryRunner } from 'typeorm';
import { editFunctions, reversed, type FunctionEdit } from './support/edit-functions';

// A claim that answered NO_GOLD had read the dataset's whole gold to find that nothing was left for
// the worker (take_gold's windows, then its two passes over every gold item), and so did every
// claim after it: a worker with no gold left is told so on each call. On a dataset with 30 gold
// items such a claim read 326 buffers, with 300 it read 3,847 (test/tasks/no-gold-cost.e2e.spec.ts):
// a labeler whose client keeps asking, or free wallets whose gold was used up by claim-and-release
// loops, made each call cost the dataset's gold count. Now the first NO_GOLD is written down
// (workers_without_gold: src/tasks/worker-without-gold.entity.ts says why it stays true) and
// the claims after it answer NO_GOLD from that row, after the same checks as before (a live lease
// is still returned, a dataset with no open task still answers NONE). The row is looked up with the
// dataset, in the statement that reads the worker's block: one primary-key probe a claim.
const CLAIM = 'claim_task(uuid, uuid, timestamp with time zone)';

const EDITS: FunctionEdit[] = [
  {
    fn: CLAIM,
    from: `         EXISTS (SELECT 1 FROM worker_stats w WHERE w.worker_id = p_worker AND w.dataset_id = p_dataset AND w.blocked) AS blocked,
`,
    to: `         EXISTS (SELECT 1 FROM worker_stats w WHERE w.worker_id = p_worker AND w.dataset_id = p_dataset AND w.blocked) AS blocked,
         EXISTS (SELECT 1 FROM workers_without_gold g WHERE g.worker_id = p_worker AND g.dataset_id = p_dataset) AS no_gold_left,
`,
    times: 1,
  },
  {
    fn: CLAIM,
    from: `  IF lo IS NULL THEN RETURN jsonb_build_object('outcome', 'NONE'); END IF;
`,
    to: `  IF lo IS NULL THEN RETURN jsonb_build_object('outcome', 'NONE'); END IF;
  -- Told before: it is still so (workers_without_gold), and reading the gold again would say it.
  IF d.no_gold_left THEN RETURN jsonb_build_object('outcome', 'NO_GOLD'); END IF;
`,
    times: 1,
  },
  {
    fn: CLAIM,
    from: `      UPDATE items SET gold_exposures = gold_exposures - 1 WHERE id = ANY (gold);
      RETURN jsonb_build_object('outcome', 'NO_GOLD');
`,
    to: `      UPDATE items SET gold_exposures = gold_exposures - 1 WHERE id = ANY (gold);
      INSERT INTO workers_without_gold (worker_id, dataset_id, noted_at) VALUES (p_worker, p_dataset, p_now)
        ON CONFLICT DO NOTHING;
      RETURN jsonb_build_object('outcome', 'NO_GOLD');
`,
    times: 1,
  },
];

export class NoGoldLeftRemembered1796900000000 implements MigrationInterface {
  name = 'NoGoldLeftRemembered1796900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "workers_without_gold" ("worker_id" uuid NOT NULL, "dataset_id" uuid NOT NULL, "noted_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_ac7290fdd3b9b37fb439210c3ce" PRIMARY KEY ("worker_id", "dataset_id"))`,
    );
    await editFunctions(queryRunner, EDITS);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, reversed(EDITS));
    await queryRunner.query(`DROP TABLE "workers_without_gold"`);
  }
}
