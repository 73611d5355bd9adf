import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { LabelSchema } from '../datasets/dataset-status';
import type { NormalisedAnswer } from './answer-validation';
import type { AssignmentRow } from './assignments.repository';
import type { AssignmentFacts } from './submit-facts.cache';
import { answersInOrder, inOrderOf } from '../database/batch-order';
import { preparedRows } from '../database/query-rows';

export type SubmitOutcome =
  | { outcome: 'NOT_FOUND' | 'EXPIRED' | 'NOT_OPEN' | 'LIVE' }
  | {
      outcome: 'STATE';
      status: AssignmentRow['status'];
      hash: string | null;
      submittedAt: Date | null;
      verdictAt: Date | null;
    }
  | { outcome: 'SUBMITTED'; submittedAt: Date };

const FACTS = {
  name: 'submission_facts',
  text: `SELECT a.dataset_id, a.item_ids, a.expires_at, d.label_schema
           FROM assignments a JOIN datasets d ON d.id = a.dataset_id
          WHERE a.id = $1 AND a.worker_id = $2`,
};

const SCHEMA = {
  name: 'submission_schema',
  text: 'SELECT label_schema FROM datasets WHERE id = $1',
};

export interface SubmitParams {
  workerId: string;
  assignmentId: string;
  answers: NormalisedAnswer[] | null;
  hash: string | null;
  now: Date;
  verdictMinGold: number;
  verdictMaxDelaySeconds: number;
}

// The statement of one submit; the history-cost test (invariant 11) measures this same statement.
export function submitStatement(params: SubmitParams): { name: string; text: string; values: unknown[] } {
  const answers = params.answers && JSON.stringify(params.answers.map((a) => ({ item_id: a.itemId, value: a.value })));
  return {
    name: 'submission_submit',
    text: 'SELECT submit_assignment($1, $2, $3::jsonb, $4, $5, $6, $7) AS result',
    values: [
      params.workerId,
      params.assignmentId,
      answers,
      params.hash,
      params.now,
      params.verdictMinGold,
      params.verdictMaxDelaySeconds,
    ],
  };
}

// The SQL of a submission: one call of submit_assignment (migrations/*-SubmitInOneCall.ts, last
// redefined in *-HotPathFlatCost.ts), a prepared statement and a transaction of its own, so no row
// lock is held across a round trip; and, only when this process does not know them yet, the
// assignment's unchanging facts.
@Injectable()
export class SubmissionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // One's own assignment (someone else's is indistinguishable from a missing one): only what
  // never changes, with its dataset's label schema. No lock: state is decided by submit().
  async facts(key: { id: string; workerId: string }): Promise<{ facts: AssignmentFacts; schema: LabelSchema } | null> {
    const [row] = await preparedRows<{
      dataset_id: string;
      item_ids: string[];
      expires_at: Date;
      label_schema: LabelSchema;
    }>(this.dataSource, FACTS, [key.id, key.workerId]);
    if (!row) return null;
    return {
      facts: { workerId: key.workerId, datasetId: row.dataset_id, itemIds: row.item_ids, expiresAt: row.expires_at },
      schema: row.label_schema,
    };
  }

  async schema(datasetId: string): Promise<LabelSchema | null> {
    const [row] = await preparedRows<{ label_schema: LabelSchema }>(this.dataSource, SCHEMA, [datasetId]);
    return row ? row.label_schema : null;
  }

  // Stores the submission (answers not yet counted, SUBMITTED, the worker's pending counters, the
  // verdict request when due) under the assignment's lock, in one statement; or says why not.
  // `answers` null only asks whether the lease is live (invalid answers are refused only then).
  // unique(item, worker) on answers stays the last line of defence for invariant 1.
  async submit(params: SubmitParams): Promise<SubmitOutcome> {
    const statement = submitStatement(params);
    const [row] = await preparedRows<{ result: SubmitRow }>(this.dataSource, statement, statement.values);
    return outcomeOf(row.result);
  }

  // Several submits in one statement and one transaction, so one commit (and one wait for the WAL
  // flush) for them all (CallBatcher in SubmissionService): each submit_assignment call as it
  // would run alone, in turn. Called in the order of their workers and assignments, so two batches
  // lock workers' rows (assignment, worker_stats) in one order; answers in the order given. The
  // verdict settings are this process's, the same for every call. A lock wait past the batch's
  // lock timeout fails the batch (migration ClaimsAndSubmitsInBatches).
  async submitMany(submits: SubmitParams[]): Promise<SubmitOutcome[]> {
    const order = inOrderOf(submits.map((s) => [s.workerId, s.assignmentId]));
    const values = order.map((i) => submitStatement(submits[i]).values);
    const column = (k: number): unknown[] => values.map((v) => v[k]);
    const rows = await preparedRows<{ n: number; result: SubmitRow }>(this.dataSource, SUBMIT_MANY, [
      column(0),
      column(1),
      column(2),
      column(3),
      column(4),
      submits[0].verdictMinGold,
      submits[0].verdictMaxDelaySeconds,
    ]);
    return answersInOrder(order, rows, (row) => outcomeOf(row.result));
  }
}

// submit_assignments: submit_assignment once per element, in turn, in one transaction (migration
// ClaimsAndSubmitsInBatches).
const SUBMIT_MANY = {
  name: 'submit_assignments',
  text: 'SELECT n, result FROM submit_assignments($1::uuid[], $2::uuid[], $3::jsonb[], $4::text[], $5::timestamptz[], $6, $7)',
};

interface SubmitRow {
  outcome: SubmitOutcome['outcome'];
  status?: AssignmentRow['status'];
  hash?: string | null;
  submittedAt?: string | null;
  verdictAt?: string | null;
}

function outcomeOf(r: SubmitRow): SubmitOutcome {
  const date = (v: string | null | undefined): Date | null => (v ? new Date(v) : null);
  if (r.outcome === 'SUBMITTED') return { outcome: 'SUBMITTED', submittedAt: date(r.submittedAt) as Date };
  if (r.outcome === 'STATE')
    return {
      outcome: 'STATE',
      status: r.status as AssignmentRow['status'],
      hash: r.hash ?? null,
      submittedAt: date(r.submittedAt),
      verdictAt: date(r.verdictAt),
    };
  return { outcome: r.outcome };
}
