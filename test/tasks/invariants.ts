import type { DataSource } from 'typeorm';

// The assignment engine's and the disputes' invariants as queries over one dataset ($1); each
// returns the rows that violate it, so "no rows" is the proof. They hold at any quiet moment (no
// request, verdict or re-score in flight), whether or not the dataset is finished and whether or
// not submissions still wait for their verdict or cases for a reviewer. Used by the concurrency
// and disputes tests and bench/assign.ts.
export const INVARIANTS: { name: string; sql: string }[] = [
  {
    name: "an item's answer_count equals its accepted answers and never exceeds max_answers_per_item",
    sql: `SELECT i.id FROM items i JOIN datasets d ON d.id = i.dataset_id LEFT JOIN answers a ON a.item_id = i.id AND a.accepted
           WHERE i.dataset_id = $1 AND NOT i.is_gold GROUP BY i.id
          HAVING max(i.answer_count) <> count(a.item_id) OR count(a.item_id) > max(d.max_answers_per_item)`,
  },
  {
    name: "the dataset's counters equal what its rows hold: regular items LABELED or RESOLVED, tasks, accepted answers",
    sql: `SELECT c.* FROM (SELECT coalesce(sum(labeled_items), 0) AS labeled_items, coalesce(sum(tasks), 0) AS tasks,
                                 coalesce(sum(accepted_answers), 0) AS accepted_answers FROM dataset_counts WHERE dataset_id = $1) c
           WHERE (c.labeled_items, c.tasks, c.accepted_answers) IS DISTINCT FROM (
                 (SELECT count(*) FROM items WHERE dataset_id = $1 AND status IN ('LABELED', 'RESOLVED') AND NOT is_gold),
                 (SELECT count(*) FROM tasks WHERE dataset_id = $1),
                 (SELECT count(*) FROM answers WHERE dataset_id = $1 AND accepted))`,
  },
  {
    name: 'no worker answered an item twice',
    sql: `SELECT worker_id, item_id FROM answers WHERE dataset_id = $1 GROUP BY 1, 2 HAVING count(*) > 1`,
  },
  {
    name: 'no item was shown to a worker twice (tasks, top-ups and gold alike)',
    sql: `SELECT a.worker_id, x.item_id FROM assignments a, unnest(a.item_ids) AS x(item_id) WHERE a.dataset_id = $1 GROUP BY 1, 2 HAVING count(*) > 1`,
  },
  {
    name: 'a submitted assignment has one stored answer per item, accepted (counted) exactly when its verdict was ACCEPTED within its slots (not while it waits, not beyond the slots)',
    sql: `SELECT a.id FROM assignments a LEFT JOIN answers x ON x.assignment_id = a.id
           WHERE a.dataset_id = $1 AND a.status IN ('SUBMITTED', 'ACCEPTED', 'REJECTED') GROUP BY a.id
          HAVING count(x.item_id) <> max(cardinality(a.item_ids)) OR bool_or(x.accepted <> (a.status = 'ACCEPTED' AND NOT a.beyond_slots))`,
  },
  {
    name: 'no answer belongs to an assignment that was not submitted',
    sql: `SELECT x.item_id FROM answers x JOIN assignments a ON a.id = x.assignment_id WHERE x.dataset_id = $1 AND a.status NOT IN ('SUBMITTED', 'ACCEPTED', 'REJECTED')`,
  },
  {
    name: 'a decided assignment has its verdict time (not before its submit) and its gold score; one waiting for its verdict has neither, and counts at most the gold items it showed',
    sql: `SELECT a.id FROM assignments a WHERE a.dataset_id = $1 AND (
             (a.status IN ('ACCEPTED', 'REJECTED')) <> (a.verdict_at IS NOT NULL)
             OR (a.status IN ('SUBMITTED', 'ACCEPTED', 'REJECTED') AND (a.submitted_at IS NULL OR a.gold_total IS NULL OR a.verdict_at < a.submitted_at))
             OR (a.status IN ('ACCEPTED', 'REJECTED') AND (a.gold_correct IS NULL OR a.gold_correct > a.gold_total))
             OR (a.status = 'SUBMITTED' AND (a.gold_correct IS NOT NULL OR a.gold_total > cardinality(a.gold_item_ids))))`,
  },
  {
    name: 'task slots add up: open + active + awaiting a verdict + accepted = slots, accepted_count = accepted assignments (those accepted late beyond the slots excluded)',
    sql: `SELECT t.id FROM tasks t
            LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE a.status IN ('ACTIVE', 'SUBMITTED')) AS held, count(*) FILTER (WHERE a.status = 'ACCEPTED' AND NOT a.beyond_slots) AS accepted
                                 FROM assignments a WHERE a.task_id = t.id) n ON true
           WHERE t.dataset_id = $1 AND (t.open_slots + n.held + n.accepted <> t.slots OR t.accepted_count <> n.accepted)`,
  },
  {
    name: 'gold: exactly goldPerTask per assignment (none goes out unchecked), every one a gold item, all among the items shown',
    sql: `SELECT a.id FROM assignments a JOIN datasets d ON d.id = a.dataset_id WHERE a.dataset_id = $1
             AND (cardinality(a.gold_item_ids) <> d.gold_per_task OR NOT a.gold_item_ids <@ a.item_ids
                  OR EXISTS (SELECT 1 FROM items i WHERE i.id = ANY (a.gold_item_ids) AND NOT i.is_gold))`,
  },
  {
    name: "gold exposure: a gold item's exposures are the assignments it was shown in (released and expired ones too), never above the dataset's cap",
    sql: `SELECT i.id FROM items i JOIN datasets d ON d.id = i.dataset_id
            LEFT JOIN (SELECT g.item_id, count(*) AS shown FROM assignments a, unnest(a.gold_item_ids) AS g(item_id) WHERE a.dataset_id = $1 GROUP BY g.item_id) n ON n.item_id = i.id
           WHERE i.dataset_id = $1 AND i.is_gold AND (i.gold_exposures <> coalesce(n.shown, 0) OR i.gold_exposures > coalesce(d.gold_exposure_cap, i.gold_exposures))`,
  },
  {
    name: "worker stats add up: answers, submitted, pending and abandoned match the worker's assignments, gold seen and pending gold their gold scores",
    sql: `SELECT coalesce(w.worker_id, a.worker_id) AS worker_id FROM
            (SELECT worker_id, dataset_id,
                    coalesce(sum(cardinality(item_ids)) FILTER (WHERE status IN ('SUBMITTED', 'ACCEPTED', 'REJECTED')), 0) AS answers,
                    count(*) FILTER (WHERE status IN ('SUBMITTED', 'ACCEPTED', 'REJECTED')) AS submitted,
                    count(*) FILTER (WHERE status = 'SUBMITTED') AS pending,
                    count(*) FILTER (WHERE status IN ('EXPIRED', 'RELEASED')) AS abandoned,
                    coalesce(sum(gold_total) FILTER (WHERE status = 'SUBMITTED'), 0) AS pending_gold,
                    coalesce(sum(gold_total) FILTER (WHERE status IN ('ACCEPTED', 'REJECTED')), 0) AS gold_seen,
                    coalesce(sum(gold_correct) FILTER (WHERE status IN ('ACCEPTED', 'REJECTED')), 0) AS gold_correct
               FROM assignments WHERE dataset_id = $1 GROUP BY worker_id, dataset_id) a
            FULL JOIN (SELECT * FROM worker_stats WHERE dataset_id = $1) w ON w.worker_id = a.worker_id
           WHERE (coalesce(w.answers, 0), coalesce(w.submitted, 0), coalesce(w.pending, 0), coalesce(w.abandoned, 0), coalesce(w.pending_gold, 0), coalesce(w.gold_seen, 0), coalesce(w.gold_correct, 0))
             IS DISTINCT FROM (coalesce(a.answers, 0), coalesce(a.submitted, 0), coalesce(a.pending, 0), coalesce(a.abandoned, 0), coalesce(a.pending_gold, 0), coalesce(a.gold_seen, 0), coalesce(a.gold_correct, 0))`,
  },
  {
    name: 'earnings: exactly one per ACCEPTED assignment, worth its answers, to its worker; none for any other',
    sql: `SELECT coalesce(a.id, l.assignment_id) AS assignment_id FROM
            (SELECT id, worker_id, cardinality(item_ids) AS answers FROM assignments WHERE dataset_id = $1 AND status = 'ACCEPTED') a
            FULL JOIN (SELECT assignment_id, account_id, amount FROM ledger_entries WHERE dataset_id = $1 AND kind = 'EARNING') l ON l.assignment_id = a.id
           WHERE a.id IS NULL OR l.assignment_id IS NULL OR l.account_id <> a.worker_id
              OR l.amount <> (SELECT reward_per_answer FROM datasets WHERE id = $1) * a.answers
              OR (SELECT count(*) FROM ledger_entries x WHERE x.assignment_id = a.id AND x.kind = 'EARNING') <> 1`,
  },
  {
    name: 'money: spent = reward x (counted answers + answers accepted beyond the slots) + review rewards = earnings + review rewards in the ledger; spent + committed <= budget; 0 <= earmarked <= dispute reserve <= committed',
    sql: `SELECT d.id FROM datasets d JOIN dataset_funds f USING (id) WHERE d.id = $1 AND (
             f.spent <> d.reward_per_answer * ((SELECT count(*) FROM answers a WHERE a.dataset_id = d.id AND a.accepted)
                                              + (SELECT coalesce(sum(cardinality(x.item_ids)), 0) FROM assignments x WHERE x.dataset_id = d.id AND x.status = 'ACCEPTED' AND x.beyond_slots))
                        + (SELECT coalesce(sum(amount), 0) FROM ledger_entries l WHERE l.dataset_id = d.id AND l.kind = 'REVIEW_REWARD')
             OR f.spent <> (SELECT coalesce(sum(amount), 0) FROM ledger_entries l WHERE l.dataset_id = d.id AND l.kind IN ('EARNING', 'REVIEW_REWARD'))
             OR f.spent + f.committed > f.budget
             OR f.committed < d.dispute_reserve
             OR d.dispute_reserve < (SELECT coalesce(sum(g.earmark - g.paid), 0) FROM gold_rescores g WHERE g.dataset_id = d.id AND g.finished_at IS NULL)
             OR EXISTS (SELECT 1 FROM gold_rescores g WHERE g.dataset_id = d.id AND (g.paid < 0 OR g.paid > g.earmark)))`,
  },
  {
    name: 'disputes: every DISPUTED regular item has exactly one open item case; at most one open case per item and kind; one appeal per assignment, of a REJECTED verdict',
    sql: `SELECT i.id FROM items i WHERE i.dataset_id = $1 AND NOT i.is_gold AND i.status = 'DISPUTED'
             AND (SELECT count(*) FROM disputes x WHERE x.item_id = i.id AND x.status <> 'RESOLVED' AND x.kind IN ('LOW_AGREEMENT', 'REQUESTER_FLAG')) <> 1
          UNION ALL
          SELECT x.item_id FROM disputes x WHERE x.dataset_id = $1 AND x.status <> 'RESOLVED' AND x.item_id IS NOT NULL GROUP BY x.item_id, x.kind HAVING count(*) > 1
          UNION ALL
          SELECT x.assignment_id FROM disputes x LEFT JOIN assignments a ON a.id = x.assignment_id
           WHERE x.dataset_id = $1 AND x.kind = 'APPEAL' AND (a.id IS NULL OR a.verdict_at IS NULL OR a.status NOT IN ('REJECTED', 'ACCEPTED'))
          UNION ALL
          SELECT x.assignment_id FROM disputes x WHERE x.dataset_id = $1 AND x.kind = 'APPEAL' GROUP BY x.assignment_id HAVING count(*) > 1`,
  },
  {
    name: 'reviewed labels: a RESOLVED item has a REVIEW result; a REVIEW result belongs to a RESOLVED item or one in review again',
    sql: `SELECT i.id FROM items i LEFT JOIN item_results r ON r.item_id = i.id
           WHERE i.dataset_id = $1 AND NOT i.is_gold
             AND ((i.status = 'RESOLVED') <> coalesce(r.method = 'REVIEW', false) AND NOT (i.status = 'DISPUTED' AND r.method = 'REVIEW'))`,
  },
  {
    name: 'review rewards: one per case a reviewer resolved, worth the dataset reward, to that reviewer; none for anything else',
    sql: `SELECT coalesce(x.id::text, l.idempotency_key) FROM
            (SELECT x.id, x.resolved_by, d.review_reward FROM disputes x JOIN datasets d ON d.id = x.dataset_id
              WHERE x.dataset_id = $1 AND x.status = 'RESOLVED' AND x.resolved_by IS NOT NULL AND d.review_reward > 0) x
            FULL JOIN (SELECT idempotency_key, account_id, amount FROM ledger_entries WHERE dataset_id = $1 AND kind = 'REVIEW_REWARD') l
              ON l.idempotency_key = 'review-reward:' || x.id
           WHERE x.id IS NULL OR l.idempotency_key IS NULL OR l.account_id <> x.resolved_by OR l.amount <> x.review_reward`,
  },
  {
    name: 'no gold left: a worker noted in workers_without_gold has fewer gold items they were never shown, not retired and under the cap, than a task carries',
    sql: `SELECT g.worker_id FROM workers_without_gold g JOIN datasets d ON d.id = g.dataset_id
           WHERE g.dataset_id = $1
             AND (SELECT count(*) FROM items i
                   WHERE i.dataset_id = d.id AND i.is_gold AND NOT i.gold_retired
                     AND (d.gold_exposure_cap IS NULL OR i.gold_exposures < d.gold_exposure_cap)
                     AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = g.worker_id AND s.item_id = i.id)) >= d.gold_per_task`,
  },
  {
    name: 'gold capped: a gold item is marked capped exactly when its exposures have reached the dataset cap',
    sql: `SELECT i.id FROM items i JOIN datasets d ON d.id = i.dataset_id
           WHERE i.dataset_id = $1 AND i.is_gold
             AND i.gold_capped <> coalesce(i.gold_exposures >= d.gold_exposure_cap, false)`,
  },
  {
    name: 'money: a COMPLETED or CANCELLED dataset commits exactly what its assignments still in flight (ACTIVE, SUBMITTED) can cost, plus what is left of its dispute reserve',
    sql: `SELECT d.id FROM datasets d JOIN dataset_funds f USING (id) WHERE d.id = $1 AND d.status IN ('COMPLETED', 'CANCELLED')
             AND f.committed <> d.dispute_reserve + d.reward_per_answer * (SELECT coalesce(sum(cardinality(a.item_ids)), 0) FROM assignments a WHERE a.dataset_id = d.id AND a.status IN ('ACTIVE', 'SUBMITTED'))`,
  },
];

// Only the invariants that failed, with their offending rows (empty object: all hold).
export async function invariantViolations(
  dataSource: DataSource,
  datasetId: string,
): Promise<Record<string, unknown[]>> {
  const failed: Record<string, unknown[]> = {};
  for (const { name, sql } of INVARIANTS) {
    const rows: unknown[] = await dataSource.query(sql, [datasetId]);
    if (rows.length) failed[name] = rows.slice(0, 5);
  }
  return failed;
}
