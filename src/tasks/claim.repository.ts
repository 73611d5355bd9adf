import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { DatasetStatus } from '../datasets/dataset-status';
import type { TaskItemView } from './assignments.repository';
import { answersInOrder, inOrderOf } from '../database/batch-order';
import { preparedRows, queryRows } from '../database/query-rows';

// What claim_task answers (defined in migrations/*-QualityIntegrity.ts, edited in place since; the
// last edit is the newest migration that names it: pg_get_functiondef shows the whole body).
export type ClaimOutcome =
  | { outcome: 'NOT_FOUND' | 'OWN_DATASET' | 'BLOCKED' | 'NONE' | 'NO_GOLD' }
  | { outcome: 'NOT_OPEN'; status: DatasetStatus }
  | { outcome: 'CLAIMED'; id: string; expiresAt: Date; items: TaskItemView[] };

// The statement of one claim; the history-cost test (invariant 11) measures this same statement.
export function claimStatement(params: { workerId: string; datasetId: string; now: Date }): {
  name: string;
  text: string;
  values: unknown[];
} {
  return {
    name: 'claim_task',
    text: 'SELECT claim_task($1, $2, $3) AS claim',
    values: [params.workerId, params.datasetId, params.now],
  };
}

// claim_tasks: claim_task once per element, in turn, in one transaction (migration
// ClaimsAndSubmitsInBatches, which also says why a batch waits for a lock 50 ms at most).
const CLAIM_MANY = {
  name: 'claim_tasks',
  text: 'SELECT n, claim FROM claim_tasks($1::uuid[], $2::uuid[], $3::timestamptz[])',
};

interface ClaimRow {
  outcome: ClaimOutcome['outcome'];
  id?: string;
  expiresAt?: string;
  items?: TaskItemView[];
  status?: DatasetStatus;
}

function outcomeOf(claim: ClaimRow): ClaimOutcome {
  if (claim.outcome === 'CLAIMED')
    return {
      outcome: 'CLAIMED',
      id: claim.id as string,
      expiresAt: new Date(claim.expiresAt as string),
      items: claim.items as TaskItemView[],
    };
  if (claim.outcome === 'NOT_OPEN') return { outcome: 'NOT_OPEN', status: claim.status as DatasetStatus };
  return { outcome: claim.outcome };
}

// The SQL of claiming a task.
@Injectable()
export class ClaimRepository {
  // The worker's live lease on the dataset, or one slot of the next task they may take with fresh
  // gold mixed in, in one statement and one transaction of its own (see the function's migration),
  // prepared once per pooled connection. That transaction must stay its own: it commits without
  // waiting for the WAL flush (*-ClaimCommitsWithoutWaitingForFlush.ts), which is right for a claim
  // and for nothing else.
  async claimOn(
    dataSource: DataSource,
    params: { workerId: string; datasetId: string; now: Date },
  ): Promise<ClaimOutcome> {
    const statement = claimStatement(params);
    const [row] = await preparedRows<{ claim: ClaimRow }>(dataSource, statement, statement.values);
    return outcomeOf(row.claim);
  }

  // Several claims in one statement and one transaction (CallBatcher in ClaimService), each
  // claim_task call as it would run alone, in turn: a later one sees what an earlier one wrote (a
  // double-click in the same batch gets the lease the first click took). Called in the order of
  // their workers and datasets, so two batches take advisory locks in one order; answers in the
  // order given. A lock wait past the batch's lock timeout fails the batch (see the migration).
  async claimMany(
    dataSource: DataSource,
    claims: { workerId: string; datasetId: string; now: Date }[],
  ): Promise<ClaimOutcome[]> {
    const order = inOrderOf(claims.map((c) => [c.workerId, c.datasetId]));
    const rows = await preparedRows<{ n: number; claim: ClaimRow }>(dataSource, CLAIM_MANY, [
      order.map((i) => claims[i].workerId),
      order.map((i) => claims[i].datasetId),
      order.map((i) => claims[i].now),
    ]);
    return answersInOrder(order, rows, (row) => outcomeOf(row.claim));
  }

  async ownerOf(manager: EntityManager, datasetId: string): Promise<string | null> {
    const [row] = await queryRows<{ owner_id: string }>(manager, 'SELECT owner_id FROM datasets WHERE id = $1', [
      datasetId,
    ]);
    return row?.owner_id ?? null;
  }

  // Datasets worth trying for a claim without a dataset id: open, with a free slot somewhere, not
  // blocking this worker, with gold left for them (workers_without_gold) and not walked in full for
  // them in vain within the last minute (claim_full_walks: claim_task would answer NONE there
  // without a look at every task; the same minute as claim_task's, migration
  // ClaimLooksAtABoundedStretch), so a worker done with the oldest datasets still gets work from
  // the next ones. Oldest first, so work finishes dataset by dataset; `except` are those this claim
  // tried already.
  async candidateDatasets(
    manager: EntityManager,
    params: { workerId: string; now: Date; limit: number; except: string[] },
  ): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `SELECT d.id FROM datasets d
        WHERE d.status = 'OPEN' AND d.owner_id <> $1 AND d.id <> ALL($4::uuid[])
          AND EXISTS (SELECT 1 FROM tasks t WHERE t.dataset_id = d.id AND t.open_slots > 0)
          AND NOT EXISTS (SELECT 1 FROM worker_stats w WHERE w.worker_id = $1 AND w.dataset_id = d.id AND w.blocked)
          AND NOT EXISTS (SELECT 1 FROM workers_without_gold g WHERE g.worker_id = $1 AND g.dataset_id = d.id)
          AND NOT EXISTS (SELECT 1 FROM claim_full_walks f
                           WHERE f.worker_id = $1 AND f.dataset_id = d.id
                             AND f.found_nothing_at > $3::timestamptz - interval '1 minute'
                             AND f.found_nothing_at <= $3::timestamptz)
        ORDER BY d.created_at, d.id
        LIMIT $2`,
      [params.workerId, params.limit, params.now, params.except],
    );
    return rows.map((r) => r.id);
  }
}
