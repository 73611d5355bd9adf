import type { MigrationInterface, QueryRunner } from 'typeorm';
import { editFunctions, reversed, type FunctionEdit } from './support/edit-functions';

// take_gold read the dataset's gold by items_dataset_gold_idx, which holds every gold item, and
// passed by those at the exposure cap or retired only after fetching their rows. Gold reaches the
// cap as a dataset is worked (the default cap is twice the answers an item may get), so a claim
// read through more and more used-up gold to gather its candidates: its cost grew with the
// dataset's past, and once every gold item was used up, each worker's first claim (each new free
// wallet's) read all of it three times to answer NO_GOLD. Now a gold item at its cap is marked so
// (gold_capped, set by the exposure that reaches the cap; the cap never changes once the dataset is
// created and exposures are never given back outside the claim that took them) and the windows and
// passes read items_usable_gold_idx, which holds only gold neither capped nor retired: what a claim
// reads is usable gold and the gold this worker saw, not the gold others used up.
//
// take_gold reads a window and then where it ends in two statements (two snapshots): sound because
// the usable gold only ever shrinks meanwhile (a cap, once committed, stays; the give-back below
// clears only a cap its own transaction set; retirement is final; gold is uploaded to drafts only),
// so the next window never starts before a row already gathered. A change that gives exposures back
// after commit (a refund on expiry, a cap raised later) must revisit this.
const TAKE_GOLD = 'take_gold(uuid, uuid, int, int)';
const CLAIM = 'claim_task(uuid, uuid, timestamp with time zone)';

const EDITS: FunctionEdit[] = [
  // The two window reads (the window, and where it ends).
  {
    fn: TAKE_GOLD,
    from: 'c.is_gold AND c.id > lo AND c.id < hi',
    to: 'c.is_gold AND NOT c.gold_retired AND NOT c.gold_capped AND c.id > lo AND c.id < hi',
    times: 2,
  },
  // The two passes over the rest.
  {
    fn: TAKE_GOLD,
    from: 'c.dataset_id = p_dataset AND c.is_gold AND NOT c.gold_retired AND (p_cap IS NULL OR c.gold_exposures < p_cap)',
    to: 'c.dataset_id = p_dataset AND c.is_gold AND NOT c.gold_retired AND NOT c.gold_capped AND (p_cap IS NULL OR c.gold_exposures < p_cap)',
    times: 2,
  },
  // Every exposure taken (by key, and in either pass).
  {
    fn: TAKE_GOLD,
    from: 'SET gold_exposures = i.gold_exposures + 1',
    to: 'SET gold_exposures = i.gold_exposures + 1, gold_capped = coalesce(i.gold_exposures + 1 >= p_cap, false)',
    times: 3,
  },
  {
    fn: TAKE_GOLD,
    from: `  -- Most claims find the whole span in the first window.
`,
    to: `  -- Most claims find the whole span in the first window. Gold at its cap or retired is not in the
  -- index the windows read (items_usable_gold_idx, migration GoldAtItsCapLeavesTheIndex).
`,
    times: 1,
  },
  // A claim short of gold gives back what it took: below the cap again.
  {
    fn: CLAIM,
    from: 'UPDATE items SET gold_exposures = gold_exposures - 1 WHERE id = ANY (gold);',
    to: 'UPDATE items SET gold_exposures = gold_exposures - 1, gold_capped = false WHERE id = ANY (gold);',
    times: 1,
  },
];

export class GoldAtItsCapLeavesTheIndex1797000000000 implements MigrationInterface {
  name = 'GoldAtItsCapLeavesTheIndex1797000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "items" ADD "gold_capped" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `UPDATE items i SET gold_capped = true FROM datasets d
        WHERE i.dataset_id = d.id AND i.is_gold AND d.gold_exposure_cap IS NOT NULL AND i.gold_exposures >= d.gold_exposure_cap`,
    );
    await queryRunner.query(
      `CREATE INDEX "items_usable_gold_idx" ON "items" ("dataset_id", "id") WHERE is_gold AND NOT gold_retired AND NOT gold_capped`,
    );
    await editFunctions(queryRunner, EDITS);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, reversed(EDITS));
    await queryRunner.query(`DROP INDEX "items_usable_gold_idx"`);
    await queryRunner.query(`ALTER TABLE "items" DROP COLUMN "gold_capped"`);
  }
}
