import type { EntityManager } from 'typeorm';

// The per-dataset lock every aggregation run holds for its whole transaction. A reviewer's
// resolution takes the same lock, so a final label is written either before a run starts (the
// run then sees the item RESOLVED and its REVIEW result and leaves both alone) or after it
// committed — never in the middle of one. Released at commit/rollback.
export async function lockDatasetConsensus(manager: EntityManager, datasetId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('consensus:' || $1::text, 0))`, [datasetId]);
}
