import type { DataSource } from 'typeorm';

// The assignment engine's invariants as queries over one dataset ($1); each returns the rows that
// violate it, so "no rows" is the proof. They hold at any quiet moment (no request in flight),
// whether or not the dataset is finished. Used by the concurrency test and bench/assign.ts.
export const INVARIANTS: { name: string; sql: string }[] = [
  {
    name: "an item's answer_count equals its accepted answers and never exceeds max_answers_per_item",
    sql: `SELECT i.id FROM items i JOIN datasets d ON d.id = i.dataset_id LEFT JOIN answers a ON a.item_id = i.id AND a.accepted
           WHERE i.dataset_id = $1 AND NOT i.is_gold GROUP BY i.id
          HAVING max(i.answer_count) <> count(a.id) OR count(a.id) > max(d.max_answers_per_item)`,
  },
  { name: 'no worker answered an item twice', sql: `SELECT worker_id, item_id FROM answers WHERE dataset_id = $1 GROUP BY 1, 2 HAVING count(*) > 1` },
  {
    name: 'no item was shown to a worker twice (tasks, top-ups and gold alike)',
    sql: `SELECT a.worker_id, x.item_id FROM assignments a, unnest(a.item_ids) AS x(item_id) WHERE a.dataset_id = $1 GROUP BY 1, 2 HAVING count(*) > 1`,
  },
  {
    name: 'a submitted assignment has one stored answer per item, accepted exactly when it was',
    sql: `SELECT a.id FROM assignments a LEFT JOIN answers x ON x.assignment_id = a.id
           WHERE a.dataset_id = $1 AND a.status IN ('ACCEPTED', 'REJECTED') GROUP BY a.id
          HAVING count(x.id) <> max(cardinality(a.item_ids)) OR bool_or(x.accepted <> (a.status = 'ACCEPTED'))`,
  },
  {
    name: 'no answer belongs to an assignment that was not submitted',
    sql: `SELECT x.id FROM answers x JOIN assignments a ON a.id = x.assignment_id WHERE x.dataset_id = $1 AND a.status NOT IN ('ACCEPTED', 'REJECTED')`,
  },
  {
    name: 'task slots add up: open + active + accepted = slots, accepted_count = accepted assignments',
    sql: `SELECT t.id FROM tasks t
            LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE a.status = 'ACTIVE') AS active, count(*) FILTER (WHERE a.status = 'ACCEPTED') AS accepted
                                 FROM assignments a WHERE a.task_id = t.id) n ON true
           WHERE t.dataset_id = $1 AND (t.open_slots + n.active + n.accepted <> t.slots OR t.accepted_count <> n.accepted)`,
  },
  {
    name: 'gold: at most goldPerTask per assignment, every one a gold item, all among the items shown',
    sql: `SELECT a.id FROM assignments a JOIN datasets d ON d.id = a.dataset_id WHERE a.dataset_id = $1
             AND (cardinality(a.gold_item_ids) > d.gold_per_task OR NOT a.gold_item_ids <@ a.item_ids
                  OR EXISTS (SELECT 1 FROM items i WHERE i.id = ANY (a.gold_item_ids) AND NOT i.is_gold))`,
  },
  {
    name: 'money: spent = reward x accepted answers = earnings in the ledger; spent + committed <= budget; committed >= 0',
    sql: `SELECT d.id FROM datasets d JOIN dataset_funds f USING (id) WHERE d.id = $1 AND (
             f.spent <> d.reward_per_answer * (SELECT count(*) FROM answers a WHERE a.dataset_id = d.id AND a.accepted)
             OR f.spent <> (SELECT coalesce(sum(amount), 0) FROM ledger_entries l WHERE l.dataset_id = d.id AND l.kind = 'EARNING')
             OR f.spent + f.committed > f.budget
             OR f.committed < 0)`,
  },
];

// Only the invariants that failed, with their offending rows (empty object: all hold).
export async function invariantViolations(dataSource: DataSource, datasetId: string): Promise<Record<string, unknown[]>> {
  const failed: Record<string, unknown[]> = {};
  for (const { name, sql } of INVARIANTS) {
    const rows: unknown[] = await dataSource.query(sql, [datasetId]);
    if (rows.length) failed[name] = rows.slice(0, 5);
  }
  return failed;
}
