import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AssignmentState } from './submit-rules';
import { cursorTimeSql } from '../database/cursor-time.sql';
import { countOf, queryRows } from '../database/query-rows';
import { AssignmentStatus } from './assignment-status';

export interface AssignmentRow {
  id: string;
  taskId: string;
  datasetId: string;
  workerId: string;
  itemIds: string[];
  goldItemIds: string[];
  status: AssignmentState;
  expiresAt: Date;
  submissionHash: string | null;
  submittedAt: Date | null;
  verdictAt: Date | null;
}

export interface TaskItemView {
  id: string;
  payload: unknown;
}

const COLUMNS =
  'id, task_id, dataset_id, worker_id, item_ids, gold_item_ids, status, expires_at, submission_hash, submitted_at, verdict_at';

export type RawAssignment = {
  id: string;
  task_id: string;
  dataset_id: string;
  worker_id: string;
  item_ids: string[];
  gold_item_ids: string[];
  status: AssignmentState;
  expires_at: Date;
  submission_hash: string | null;
  submitted_at: Date | null;
  verdict_at: Date | null;
};

export function toAssignmentRow(raw: RawAssignment): AssignmentRow {
  return {
    id: raw.id,
    taskId: raw.task_id,
    datasetId: raw.dataset_id,
    workerId: raw.worker_id,
    itemIds: raw.item_ids,
    goldItemIds: raw.gold_item_ids,
    status: raw.status,
    expiresAt: raw.expires_at,
    submissionHash: raw.submission_hash,
    submittedAt: raw.submitted_at,
    verdictAt: raw.verdict_at,
  };
}

// The tail of a statement whose CTE `ended` returned the (task_id, worker_id, dataset_id) of
// leases it ended: each counts as abandoned for its worker and their slots go back to their
// tasks. Locks are taken in a verdict's order, worker stats and then tasks by id (reading
// abandoned runs the stats upsert first, stated here rather than left to the order PostgreSQL
// runs unread CTEs in), each in key order, so neither two such statements nor one and a verdict
// wait on each other in a cycle. Before, the tasks were locked in join order.
const GIVE_BACK = `abandoned AS (
         INSERT INTO worker_stats (worker_id, dataset_id, abandoned)
         SELECT worker_id, dataset_id, count(*)::int FROM ended GROUP BY worker_id, dataset_id ORDER BY worker_id, dataset_id
         ON CONFLICT (worker_id, dataset_id) DO UPDATE SET abandoned = worker_stats.abandoned + EXCLUDED.abandoned, updated_at = now()
         RETURNING 1),
       per_task AS (SELECT task_id, count(*)::int AS n FROM ended GROUP BY task_id),
       locked_tasks AS (
         SELECT t.id, p.n FROM tasks t JOIN per_task p ON p.task_id = t.id
          WHERE (SELECT count(*) FROM abandoned) >= 0 ORDER BY t.id FOR UPDATE OF t),
       reopened AS (UPDATE tasks t SET open_slots = t.open_slots + l.n FROM locked_tasks l WHERE t.id = l.id RETURNING 1)`;

// The statement of AssignmentsRepository.endActive (tests measure what it reads). The status
// condition makes it a no-op for an assignment something else already ended; written "(…) IS TRUE"
// so it implies no partial index's predicate: as a plain condition the planner could AND the keys
// with a scan of every live lease in assignments_one_active_key (see decidedCte in
// verdict.repository.ts).
export function endActiveStatement(params: { ids: string[]; status: 'EXPIRED' | 'RELEASED' }): {
  text: string;
  values: unknown[];
} {
  return {
    text: `WITH ended AS (
         UPDATE assignments SET status = $2 WHERE id = ANY ($1::uuid[]) AND (status = 'ACTIVE') IS TRUE RETURNING task_id, worker_id, dataset_id),
       ${GIVE_BACK}
       SELECT (SELECT count(*) FROM ended)::int AS n`,
    values: [params.ids, params.status],
  };
}

// Assignment lifecycle SQL: locking one's own assignment, ending leases and giving slots back.
@Injectable()
export class AssignmentsRepository {
  // Someone else's assignment is indistinguishable from a missing one.
  async lockOwn(manager: EntityManager, key: { id: string; workerId: string }): Promise<AssignmentRow | null> {
    const rows = await queryRows<RawAssignment>(
      manager,
      `SELECT ${COLUMNS} FROM assignments WHERE id = $1 AND worker_id = $2 FOR UPDATE`,
      [key.id, key.workerId],
    );
    return rows[0] ? toAssignmentRow(rows[0]) : null;
  }

  // The worker's live leases are read by their own index (one per dataset at most), their end
  // compared after: the OFFSET 0 keeps that comparison out of the scan, where it could lead the
  // planner to the reaper's index of every live lease (see assignments_active_expiry_idx).
  async findLiveActive(manager: EntityManager, params: { workerId: string; now: Date }): Promise<AssignmentRow | null> {
    const rows = await queryRows<RawAssignment>(
      manager,
      `SELECT ${COLUMNS.split(', ')
        .map((c) => `a.${c}`)
        .join(', ')}
         FROM (SELECT * FROM assignments WHERE worker_id = $1 AND status = 'ACTIVE' OFFSET 0) a
         JOIN datasets d ON d.id = a.dataset_id
        WHERE a.expires_at > $2 AND d.status IN ('OPEN', 'PAUSED')
        ORDER BY a.created_at LIMIT 1`,
      [params.workerId, params.now],
    );
    return rows[0] ? toAssignmentRow(rows[0]) : null;
  }

  // Ends ACTIVE assignments and gives each one's slot back to its task, in one statement, counting
  // each as abandoned in its worker's stats (the release rate an owner sees): endActiveStatement.
  async endActive(manager: EntityManager, params: { ids: string[]; status: 'EXPIRED' | 'RELEASED' }): Promise<number> {
    const statement = endActiveStatement(params);
    const rows = await queryRows<{ n: number }>(manager, statement.text, statement.values);
    return rows[0].n;
  }

  // The reaper's statement: up to `limit` leases past their end become EXPIRED and return their
  // slots. SKIP LOCKED lets two reapers (or a reaper and a submit holding the row) pass each
  // other; the re-checked status keeps a lease from being ended twice.
  async markLeasesExpired(manager: EntityManager, params: { now: Date; limit: number }): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      manager,
      `WITH due AS (
         SELECT id FROM assignments WHERE status = 'ACTIVE' AND expires_at <= $1
          ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED),
       ended AS (
         UPDATE assignments a SET status = 'EXPIRED' FROM due WHERE a.id = due.id AND a.status = 'ACTIVE' RETURNING a.task_id, a.worker_id, a.dataset_id),
       ${GIVE_BACK}
       SELECT (SELECT count(*) FROM ended)::int AS n`,
      [params.now, params.limit],
    );
    return rows[0].n;
  }

  // One page of a worker's own assignments, newest first (optionally one status), and how many
  // there are; `after` is the (created_at, id) of the last row of the previous page. The page is
  // read per status, each an ordered range of assignments_worker_status_created_idx with the
  // page's limit, and merged: at most a page per status, whatever the worker's history (an index
  // on (worker, created_at) alone would do it in one range, but every claim, submit and verdict
  // would write it). The count, if asked for, reads the worker's entries of that index. Every
  // status is one of AssignmentStatus: assignments_status_check refuses any other.
  async pageOwn(
    manager: EntityManager,
    params: {
      workerId: string;
      status: AssignmentState | null;
      limit: number;
      after: { at: string; id: string } | null;
    },
  ): Promise<{ rows: (AssignmentRow & { cursorTime: string })[]; totalCount: () => Promise<number> }> {
    const statuses = params.status ? [params.status] : Object.values(AssignmentStatus);
    const rows = await queryRows<RawAssignment & { cursor_time: string }>(
      manager,
      `SELECT a.* FROM unnest($2::text[]) AS s(status), LATERAL (
         SELECT ${COLUMNS}, created_at, ${cursorTimeSql('created_at')} AS cursor_time FROM assignments
          WHERE worker_id = $1 AND status = s.status
            AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
          ORDER BY created_at DESC, id DESC LIMIT $5) a
        ORDER BY a.created_at DESC, a.id DESC LIMIT $5`,
      [params.workerId, statuses, params.after?.at ?? null, params.after?.id ?? null, params.limit],
    );
    return {
      rows: rows.map((r) => ({ ...toAssignmentRow(r), cursorTime: r.cursor_time })),
      totalCount: () => this.countOwn(manager, { workerId: params.workerId, statuses }),
    };
  }

  /** How many assignments the worker has in these statuses: their whole history, read in full. */
  countOwn(manager: EntityManager, params: { workerId: string; statuses: string[] }): Promise<number> {
    return countOf(
      manager,
      'SELECT count(*)::int AS n FROM assignments WHERE worker_id = $1 AND status = ANY ($2::text[])',
      [params.workerId, params.statuses],
    );
  }

  // Payloads in the order the assignment shows them, rendered by assignment_items_json (claim_task
  // holds a copy of its query: migrations/*-FewerStatementsPerCycle.ts; change both). Only id and
  // payload are read: nothing else about an item (gold flag, gold label, other answers) can reach
  // the labeler from here.
  async loadItems(manager: EntityManager, itemIds: string[]): Promise<TaskItemView[]> {
    const [row] = await queryRows<{ items: TaskItemView[] }>(
      manager,
      'SELECT assignment_items_json($1::uuid[]) AS items',
      [itemIds],
    );
    return row.items;
  }
}
