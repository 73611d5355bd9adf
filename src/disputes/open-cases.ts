import type { EntityManager } from 'typeorm';
import { DisputeKind } from './dispute-status';
import { PRIORITY_OF } from './priorities';

// Opening cases from other areas' transactions (the consensus run that marks items DISPUTED,
// the gold contest check after a full run). Plain SQL on the caller's manager, so a case commits
// with its cause. One open case per (item, kind): opening one that exists is a no-op.

export async function openLowAgreementCases(
  manager: EntityManager,
  params: { datasetId: string; itemIds: readonly string[] },
): Promise<void> {
  if (params.itemIds.length === 0) return;
  await manager.query(
    `INSERT INTO disputes (dataset_id, kind, priority, item_id, item_ids)
     SELECT $1, '${DisputeKind.LOW_AGREEMENT}', $2, x.id, ARRAY[x.id] FROM unnest($3::uuid[]) WITH ORDINALITY AS x(id, n) ORDER BY x.n
     ON CONFLICT (item_id, kind) WHERE status <> 'RESOLVED' AND item_id IS NOT NULL DO NOTHING`,
    [params.datasetId, PRIORITY_OF[DisputeKind.LOW_AGREEMENT], params.itemIds],
  );
}

/** GOLD_CONTEST cases (system-raised). A signal about an item that already has an open contest
 * merges into it: one more signal, and the latest evidence as its reason. */
export async function openGoldContests(
  manager: EntityManager,
  params: { datasetId: string; contests: readonly { itemId: string; goldVersion: number; reason: string }[] },
): Promise<void> {
  if (params.contests.length === 0) return;
  await manager.query(
    `INSERT INTO disputes (dataset_id, kind, priority, item_id, item_ids, gold_version, reason)
     SELECT $1, '${DisputeKind.GOLD_CONTEST}', $2, x.item_id, ARRAY[x.item_id], x.gold_version, x.reason
       FROM jsonb_to_recordset($3::jsonb) AS x(item_id uuid, gold_version int, reason text)
     ON CONFLICT (item_id, kind) WHERE status <> 'RESOLVED' AND item_id IS NOT NULL
     DO UPDATE SET signals = disputes.signals + 1, reason = EXCLUDED.reason WHERE disputes.reason IS DISTINCT FROM EXCLUDED.reason`,
    [
      params.datasetId,
      PRIORITY_OF[DisputeKind.GOLD_CONTEST],
      JSON.stringify(
        params.contests.map((c) => ({ item_id: c.itemId, gold_version: c.goldVersion, reason: c.reason })),
      ),
    ],
  );
}
