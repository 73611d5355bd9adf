import type { EntityManager } from 'typeorm';
import { goldMatches } from '../quality/gold-scoring';
import {
  goldContestSignal,
  trustedAccuracy,
  TRUSTED_MIN_REGULAR,
  type TrustedGoldAnswer,
} from '../quality/gold-contest';
import { openGoldContests } from './open-cases';

// After a full consensus run (which has just refreshed every worker's agreement with consensus on
// regular items), looks for gold items that trusted workers keep missing and opens a GOLD_CONTEST
// for each (quality/gold-contest.ts has the statistic). Runs in the consensus transaction. Skips
// retired gold and gold a reviewer kept at its current version (a KEEP is not re-asked on the
// same evidence). Answers the number of gold items contested.
export async function raiseGoldContests(
  manager: EntityManager,
  params: { datasetId: string; kind: string },
): Promise<number> {
  const rows: {
    item_id: string;
    gold_version: number;
    gold_label: unknown;
    value: unknown;
    regular_agreed: number;
    regular_compared: number;
  }[] = await manager.query(
    `SELECT a.item_id, i.gold_version, i.gold_label, a.value, w.regular_agreed, w.regular_compared
       FROM answers a
       JOIN items i ON i.id = a.item_id
       JOIN worker_stats w ON w.worker_id = a.worker_id AND w.dataset_id = a.dataset_id
      WHERE a.dataset_id = $1 AND a.is_gold AND NOT i.gold_retired AND w.regular_compared >= $2
        AND NOT EXISTS (SELECT 1 FROM dispute_decisions k WHERE k.item_id = i.id AND k.verdict = 'KEEP' AND k.gold_version = i.gold_version)`,
    [params.datasetId, TRUSTED_MIN_REGULAR],
  );
  const byItem = new Map<string, { version: number; answers: TrustedGoldAnswer[] }>();
  for (const r of rows) {
    const accuracy = trustedAccuracy({ regularAgreed: r.regular_agreed, regularCompared: r.regular_compared });
    const correct = goldMatches({ kind: params.kind, answer: r.value, gold: r.gold_label });
    if (accuracy === null || correct === null) continue;
    const entry = byItem.get(r.item_id) ?? { version: r.gold_version, answers: [] };
    entry.answers.push({ correct, accuracy });
    byItem.set(r.item_id, entry);
  }
  const contests: { itemId: string; goldVersion: number; reason: string }[] = [];
  for (const [itemId, { version, answers }] of byItem) {
    const signal = goldContestSignal(answers);
    if (!signal.contest) continue;
    // Counts only: the reason is shown to reviewers and requesters, never a label.
    contests.push({
      itemId,
      goldVersion: version,
      reason: `${signal.misses} of ${signal.answers} trusted workers answered differently from the gold label (p = ${signal.pValue.toPrecision(2)})`,
    });
  }
  await openGoldContests(manager, { datasetId: params.datasetId, contests });
  return contests.length;
}
