import { DisputeStatus, type DisputeKind, type DisputeOutcome, type DisputeState } from './dispute-status';

// A case as the disputes SQL reads it, and what a client is told about its status.

export interface DisputeRow {
  id: string;
  datasetId: string;
  datasetOwnerId: string;
  kind: DisputeKind;
  state: DisputeState;
  itemId: string | null;
  assignmentId: string | null;
  itemIds: string[];
  raisedBy: string | null;
  reason: string | null;
  goldVersion: number | null;
  reviewerId: string | null;
  leasedAt: Date | null;
  leaseExpiresAt: Date | null;
  outcome: DisputeOutcome | null;
  note: string | null;
  resolvedAt: Date | null;
  createdAt: Date;
}

export const DISPUTE_COLUMNS = `d.id, d.dataset_id, (SELECT s.owner_id FROM datasets s WHERE s.id = d.dataset_id) AS dataset_owner_id, d.kind, d.status, d.item_id, d.assignment_id,
  d.item_ids, d.raised_by, d.reason, d.gold_version, d.reviewer_id, d.leased_at, d.lease_expires_at, d.outcome, d.note, d.resolved_at, d.created_at`;

export type RawDispute = {
  id: string;
  dataset_id: string;
  dataset_owner_id: string;
  kind: DisputeKind;
  status: DisputeState;
  item_id: string | null;
  assignment_id: string | null;
  item_ids: string[];
  raised_by: string | null;
  reason: string | null;
  gold_version: number | null;
  reviewer_id: string | null;
  leased_at: Date | null;
  lease_expires_at: Date | null;
  outcome: DisputeOutcome | null;
  note: string | null;
  resolved_at: Date | null;
  created_at: Date;
};

export function toDisputeRow(r: RawDispute): DisputeRow {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    datasetOwnerId: r.dataset_owner_id,
    kind: r.kind,
    state: r.status,
    itemId: r.item_id,
    assignmentId: r.assignment_id,
    itemIds: r.item_ids,
    raisedBy: r.raised_by,
    reason: r.reason,
    goldVersion: r.gold_version,
    reviewerId: r.reviewer_id,
    leasedAt: r.leased_at,
    leaseExpiresAt: r.lease_expires_at,
    outcome: r.outcome,
    note: r.note,
    resolvedAt: r.resolved_at,
    createdAt: r.created_at,
  };
}

export function leaseLive(row: Pick<DisputeRow, 'state' | 'leaseExpiresAt'>, now: Date): boolean {
  return row.state !== 'RESOLVED' && row.leaseExpiresAt !== null && row.leaseExpiresAt.getTime() > now.getTime();
}

/** The status clients see: a live lease reads IN_REVIEW; an expired one is as good as none. */
export function exposedStatus(row: Pick<DisputeRow, 'state' | 'leaseExpiresAt'>, now: Date): DisputeStatus {
  if (row.state === 'RESOLVED') return DisputeStatus.RESOLVED;
  if (leaseLive(row, now)) return DisputeStatus.IN_REVIEW;
  return row.state === 'ESCALATED' ? DisputeStatus.ESCALATED : DisputeStatus.OPEN;
}
