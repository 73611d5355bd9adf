import type { MigrationInterface, QueryRunner } from 'typeorm';
import { editFunctions, reversed, type FunctionEdit } from './support/edit-functions';

// A claim's transaction commits without waiting for its WAL to reach the disk
// (synchronous_commit = off for that transaction alone, set inside claim_task). Its commit record
// is written at once and flushed by the WAL writer within three wal_writer_delay (0.6 s by
// default), or sooner by any later commit that waits: a submit, a verdict, a payout. Nothing else
// changes: the commit is still atomic and still orders before every later transaction.
//
// What a crash of PostgreSQL in that window can forget is only claims, each whole: the lease, the
// seen items it recorded, the slot it took and the gold exposures it counted. Every one of them is
// state a claim rebuilds: the labeler's next call finds no lease and claims again. No money moves
// in a claim, and no submitted work depends on a forgotten one, since a submit on a lease waits
// for its own flush, which covers the claim's earlier commit record. The cost is bounded and named
// in docs/architecture.md, section Durability: invariant 8's exposure count can be one short per
// forgotten claim that showed gold.
//
// Waiting for the flush cost a claim about a sixth of its CPU in isolation (fdatasync in the
// committing backend: 14-16 % of its samples under perf; claim + release at two clients, 0.92 →
// 0.76 ms of PostgreSQL CPU per pair), and its latency the time of a disk flush.
const CLAIM_TASK = 'claim_task(uuid, uuid, timestamptz)';

const EDITS: FunctionEdit[] = [
  { fn: CLAIM_TASK, from: '  created uuid;\nBEGIN\n', to: '  created uuid;\n  commit_mode text;\nBEGIN\n', times: 1 },
  {
    fn: CLAIM_TASK,
    from: `  PERFORM pg_advisory_xact_lock(hashtext(p_worker::text), hashtext(p_dataset::text));
`,
    to: `  PERFORM pg_advisory_xact_lock(hashtext(p_worker::text), hashtext(p_dataset::text));
  -- Until the end of this transaction (a function's own SET would end with the function, before
  -- the commit): see *-ClaimCommitsWithoutWaitingForFlush.ts for what a crash can forget.
  commit_mode := set_config('synchronous_commit', 'off', true);
`,
    times: 1,
  },
];

export class ClaimCommitsWithoutWaitingForFlush1796600000200 implements MigrationInterface {
  name = 'ClaimCommitsWithoutWaitingForFlush1796600000200';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, EDITS);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, reversed(EDITS));
  }
}
