import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { countOf, queryRows } from '../database/query-rows';
import { cursorTimeSql } from '../database/cursor-time.sql';
import { DISPUTE_COLUMNS, toDisputeRow, type DisputeRow, type RawDispute } from './dispute-row';
import { DisputeKind, DisputeStatus, type DisputeState } from './dispute-status';
import { lockReviewerClaims } from '../database/advisory-locks';

export interface DisputeFilter {
  scope: 'all' | 'own-datasets' | 'raised-by';
  viewerId: string;
  datasetId: string | null;
  status: DisputeStatus | null;
  kind: DisputeKind | null;
  now: Date;
}

// The reviewer queue and the reads of cases. Queue order: priority, then age; a lease is live
// while lease_expires_at is ahead, and an expired one is simply taken over by the next claim.
@Injectable()
export class DisputesRepository {
  async findById(manager: EntityManager, id: string): Promise<DisputeRow | null> {
    const [row] = await queryRows<RawDispute>(manager, `SELECT ${DISPUTE_COLUMNS} FROM disputes d WHERE d.id = $1`, [
      id,
    ]);
    return row ? toDisputeRow(row) : null;
  }

  async lockById(manager: EntityManager, id: string): Promise<DisputeRow | null> {
    const [row] = await queryRows<RawDispute>(
      manager,
      `SELECT ${DISPUTE_COLUMNS} FROM disputes d WHERE d.id = $1 FOR UPDATE OF d`,
      [id],
    );
    return row ? toDisputeRow(row) : null;
  }

  async ownerOf(manager: EntityManager, datasetId: string): Promise<string | null> {
    const [row] = await queryRows<{ owner_id: string }>(manager, 'SELECT owner_id FROM datasets WHERE id = $1', [
      datasetId,
    ]);
    return row?.owner_id ?? null;
  }

  // One claim of one reviewer at a time: "return the live lease or take one" is decided once
  // even when they click twice. Claims of different reviewers never wait on each other here.
  async lockReviewer(manager: EntityManager, reviewerId: string): Promise<void> {
    await lockReviewerClaims(manager, reviewerId);
  }

  async liveLeaseOf(manager: EntityManager, params: { reviewerId: string; now: Date }): Promise<DisputeRow | null> {
    const [row] = await queryRows<RawDispute>(
      manager,
      `SELECT ${DISPUTE_COLUMNS} FROM disputes d WHERE d.reviewer_id = $1 AND d.status <> 'RESOLVED' AND d.lease_expires_at > $2 ORDER BY d.leased_at LIMIT 1`,
      [params.reviewerId, params.now],
    );
    return row ? toDisputeRow(row) : null;
  }

  // Leases the first case of the given queues this reviewer may decide: not about a dataset they
  // own, not raised by them, not about an item they answered or an assignment of theirs. SKIP
  // LOCKED lets concurrent claims (any number of api processes) pass each other: each case goes
  // to one reviewer. ADMIN's claim serves the escalated queue first.
  async claimNext(
    manager: EntityManager,
    params: { reviewerId: string; datasetId: string | null; queues: DisputeState[]; now: Date; expiresAt: Date },
  ): Promise<DisputeRow | null> {
    const escalatedFirst = params.queues.includes('ESCALATED') ? `(d.status = 'ESCALATED') DESC, ` : '';
    const [row] = await queryRows<RawDispute>(
      manager,
      `WITH picked AS (
         SELECT d.id FROM disputes d JOIN datasets s ON s.id = d.dataset_id
          WHERE d.status = ANY ($2::text[]) AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= $3)
            AND ($4::uuid IS NULL OR d.dataset_id = $4)
            AND s.owner_id <> $1 AND d.raised_by IS DISTINCT FROM $1
            AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.item_id = ANY (d.item_ids) AND a.worker_id = $1)
            AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.id = d.assignment_id AND x.worker_id = $1)
          ORDER BY ${escalatedFirst}d.priority, d.created_at, d.id
          LIMIT 1 FOR UPDATE OF d SKIP LOCKED)
       UPDATE disputes d SET reviewer_id = $1, leased_at = $3, lease_expires_at = $5 FROM picked WHERE d.id = picked.id
       RETURNING ${DISPUTE_COLUMNS}`,
      [params.reviewerId, params.queues, params.now, params.datasetId, params.expiresAt],
    );
    return row ? toDisputeRow(row) : null;
  }

  /** Whether the account is a party to the case: raised it, owns its dataset, answered one of
   * its items or did the appealed work (the same rules the claim applies). */
  async isParty(manager: EntityManager, params: { dispute: DisputeRow; accountId: string }): Promise<boolean> {
    const { dispute, accountId } = params;
    if (dispute.raisedBy === accountId || dispute.datasetOwnerId === accountId) return true;
    const [row] = await queryRows<{ party: boolean }>(
      manager,
      `SELECT EXISTS (SELECT 1 FROM answers a WHERE a.item_id = ANY ($1::uuid[]) AND a.worker_id = $2)
           OR EXISTS (SELECT 1 FROM assignments x WHERE x.id = $3 AND x.worker_id = $2) AS party`,
      [dispute.itemIds, accountId, dispute.assignmentId],
    );
    return row.party;
  }

  // Whatever a reviewer is shown in a case, they are never given later as a labeler (it may be
  // gold): claim_task skips tasks and gold with an item in worker_seen_items.
  async markSeen(
    manager: EntityManager,
    params: { workerId: string; datasetId: string; itemIds: readonly string[] },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO worker_seen_items (worker_id, item_id, dataset_id) SELECT $1, x, $2 FROM unnest($3::uuid[]) AS x ON CONFLICT DO NOTHING`,
      [params.workerId, params.datasetId, params.itemIds],
    );
  }

  async endLease(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE disputes SET reviewer_id = NULL, leased_at = NULL, lease_expires_at = NULL WHERE id = $1`,
      [id],
    );
  }

  async escalate(manager: EntityManager, params: { id: string; by: string; at: Date; note: string }): Promise<void> {
    await manager.query(
      `UPDATE disputes SET status = 'ESCALATED', reviewer_id = NULL, leased_at = NULL, lease_expires_at = NULL, escalated_by = $2, escalated_at = $3, escalation_note = $4 WHERE id = $1`,
      [params.id, params.by, params.at, params.note],
    );
  }

  /** Inserts a case; null when the one-appeal / one-open-case-per-item rule refuses it. */
  async insert(
    manager: EntityManager,
    params: {
      datasetId: string;
      kind: DisputeKind;
      priority: number;
      itemId: string | null;
      assignmentId: string | null;
      itemIds: readonly string[];
      raisedBy: string;
      reason: string;
    },
  ): Promise<DisputeRow | null> {
    const [row] = await queryRows<RawDispute>(
      manager,
      `INSERT INTO disputes AS d (dataset_id, kind, priority, item_id, assignment_id, item_ids, raised_by, reason)
       VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7, $8)
       ON CONFLICT DO NOTHING
       RETURNING ${DISPUTE_COLUMNS}`,
      [
        params.datasetId,
        params.kind,
        params.priority,
        params.itemId,
        params.assignmentId,
        params.itemIds,
        params.raisedBy,
        params.reason,
      ],
    );
    return row ? toDisputeRow(row) : null;
  }

  /** Newest first; `after` is the (created_at, id) of the last row of the previous page. */
  async page(
    manager: EntityManager,
    params: { filter: DisputeFilter; limit: number; after: { at: string; id: string } | null },
  ): Promise<{ rows: (DisputeRow & { cursorTime: string })[]; totalCount: () => Promise<number> }> {
    const { where, values } = filterSql(params.filter);
    const n = values.length;
    const rows = await queryRows<RawDispute & { cursor_time: string }>(
      manager,
      `SELECT ${DISPUTE_COLUMNS}, ${cursorTimeSql('d.created_at')} AS cursor_time FROM disputes d WHERE ${where}
          AND ($${n + 1}::timestamptz IS NULL OR (d.created_at, d.id) < ($${n + 1}::timestamptz, $${n + 2}::uuid))
        ORDER BY d.created_at DESC, d.id DESC LIMIT $${n + 3}`,
      [...values, params.after?.at ?? null, params.after?.id ?? null, params.limit],
    );
    return {
      rows: rows.map((r) => ({ ...toDisputeRow(r), cursorTime: r.cursor_time })),
      totalCount: () => countOf(manager, `SELECT count(*)::int AS n FROM disputes d WHERE ${where}`, values),
    };
  }

  // What a case shows: each item with its payload, gold label or consensus label, and every
  // submitted answer with its worker's accuracy on the dataset. Worker ids leave this method
  // only to be replaced by pseudonyms.
  async caseContent(manager: EntityManager, dispute: DisputeRow): Promise<CaseContent> {
    const [dataset] = await queryRows<{ instructions: string | null; label_schema: unknown }>(
      manager,
      'SELECT instructions, label_schema FROM datasets WHERE id = $1',
      [dispute.datasetId],
    );
    const items = await queryRows<{
      id: string;
      payload: unknown;
      is_gold: boolean;
      gold_label: unknown;
      gold_retired: boolean;
      label: unknown;
      confidence: number | null;
      verdict_given: string | null;
    }>(
      manager,
      `SELECT i.id, i.payload, i.is_gold, i.gold_label, i.gold_retired, r.label, r.confidence,
              (SELECT k.verdict FROM dispute_decisions k WHERE k.item_id = i.id AND k.verdict <> 'LABEL' AND k.decided_at >= $2 ORDER BY k.decided_at DESC LIMIT 1) AS verdict_given
         FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n) JOIN items i ON i.id = x.id LEFT JOIN item_results r ON r.item_id = i.id
        ORDER BY x.n`,
      [dispute.itemIds, dispute.createdAt],
    );
    const answers = await queryRows<{
      item_id: string;
      worker_id: string;
      value: unknown;
      accepted: boolean;
      accuracy: number | null;
    }>(
      manager,
      `SELECT a.item_id, a.worker_id, a.value, a.accepted, w.estimated_accuracy AS accuracy
         FROM answers a LEFT JOIN worker_stats w ON w.worker_id = a.worker_id AND w.dataset_id = a.dataset_id
        WHERE a.item_id = ANY ($1::uuid[]) ORDER BY a.created_at, a.item_id, a.worker_id`,
      [dispute.itemIds],
    );
    return {
      instructions: dataset.instructions,
      labelSchema: dataset.label_schema,
      items: items.map((i) => ({
        itemId: i.id,
        payload: i.payload,
        gold: i.is_gold,
        goldLabel: i.gold_label,
        retired: i.gold_retired,
        consensusLabel: i.label,
        confidence: i.confidence,
        verdictGiven: i.verdict_given,
        answers: answers
          .filter((a) => a.item_id === i.id)
          .map((a) => ({ workerId: a.worker_id, label: a.value, counted: a.accepted, workerAccuracy: a.accuracy })),
      })),
    };
  }

  async reviewerStats(
    manager: EntityManager,
    reviewerId: string,
  ): Promise<{ resolved: number; escalated: number; overturned: number; median: number | null }> {
    const [row] = await queryRows<{ resolved: number; escalated: number; overturned: number; median: number | null }>(
      manager,
      `SELECT (SELECT count(*) FROM disputes WHERE resolved_by = $1)::int AS resolved,
              (SELECT count(*) FROM disputes WHERE escalated_by = $1)::int AS escalated,
              (SELECT count(*) FROM dispute_decisions k
                WHERE k.reviewer_id = $1
                  AND EXISTS (SELECT 1 FROM dispute_decisions l WHERE l.item_id = k.item_id AND l.decided_at > k.decided_at AND l.result IS DISTINCT FROM k.result))::int AS overturned,
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - leased_at)) FROM disputes WHERE resolved_by = $1 AND leased_at IS NOT NULL) AS median`,
      [reviewerId],
    );
    return { ...row, median: row.median === null ? null : Number(row.median) };
  }

  /** Cases waiting in each queue (not leased, or leased and expired) and the oldest one's age. */
  async queueDepth(
    manager: EntityManager,
    now: Date,
  ): Promise<{ queue: DisputeState; depth: number; oldest: Date | null }[]> {
    return (
      await queryRows<{ status: DisputeState; depth: number; oldest: Date | null }>(
        manager,
        `SELECT status, count(*)::int AS depth, min(created_at) AS oldest FROM disputes
          WHERE status <> 'RESOLVED' AND (lease_expires_at IS NULL OR lease_expires_at <= $1) GROUP BY status`,
        [now],
      )
    ).map((r) => ({ queue: r.status, depth: r.depth, oldest: r.oldest }));
  }
}

export interface CaseContent {
  instructions: string | null;
  labelSchema: unknown;
  items: {
    itemId: string;
    payload: unknown;
    gold: boolean;
    goldLabel: unknown;
    retired: boolean;
    consensusLabel: unknown;
    confidence: number | null;
    verdictGiven: string | null;
    answers: { workerId: string; label: unknown; counted: boolean; workerAccuracy: number | null }[];
  }[];
}

function filterSql(filter: DisputeFilter): { where: string; values: unknown[] } {
  const values: unknown[] = [];
  const clauses: string[] = [];
  const add = (sql: (p: string) => string, value: unknown): void => {
    values.push(value);
    clauses.push(sql(`$${values.length}`));
  };
  if (filter.scope === 'own-datasets')
    add((p) => `d.dataset_id IN (SELECT s.id FROM datasets s WHERE s.owner_id = ${p})`, filter.viewerId);
  if (filter.scope === 'raised-by') add((p) => `d.raised_by = ${p}`, filter.viewerId);
  if (filter.datasetId) add((p) => `d.dataset_id = ${p}`, filter.datasetId);
  if (filter.kind) add((p) => `d.kind = ${p}`, filter.kind);
  if (filter.status) {
    values.push(filter.now);
    const now = `$${values.length}::timestamptz`;
    const live = `(d.lease_expires_at IS NOT NULL AND d.lease_expires_at > ${now})`;
    switch (filter.status) {
      case DisputeStatus.RESOLVED:
        clauses.push(`d.status = 'RESOLVED'`);
        break;
      case DisputeStatus.IN_REVIEW:
        clauses.push(`d.status <> 'RESOLVED' AND ${live}`);
        break;
      default:
        clauses.push(`d.status = '${filter.status}' AND NOT ${live}`);
    }
  }
  return { where: clauses.length ? clauses.join(' AND ') : 'true', values };
}
