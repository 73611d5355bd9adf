import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DatasetStatus, LabelSchema } from '../datasets/dataset-status';
import type { NormalisedAnswer } from './answer-validation';
import { toAssignmentRow, type AssignmentRow, type RawAssignment } from './assignments.repository';
import { preparedRows } from '../database/query-rows';

export interface GoldLabel {
  id: string;
  goldLabel: unknown;
}

// What validating a submission needs of its dataset (submit_assignment reads the rest itself).
export interface SubmitTerms {
  status: DatasetStatus;
  labelSchema: LabelSchema;
}

export type SubmitOutcome =
  | { outcome: 'NOT_FOUND' | 'EXPIRED' | 'NOT_OPEN' }
  | {
      outcome: 'STATE';
      status: AssignmentRow['status'];
      hash: string | null;
      submittedAt: Date | null;
      verdictAt: Date | null;
    }
  | { outcome: 'SUBMITTED'; submittedAt: Date };

const READ = {
  name: 'submission_read',
  text: `SELECT a.id, a.task_id, a.dataset_id, a.worker_id, a.item_ids, a.gold_item_ids, a.status, a.expires_at, a.submission_hash, a.submitted_at, a.verdict_at,
                d.status AS dataset_status, d.label_schema,
                (SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'goldLabel', i.gold_label)), '[]'::jsonb)
                   FROM items i WHERE i.id = ANY (a.gold_item_ids) AND i.is_gold) AS gold
           FROM assignments a JOIN datasets d ON d.id = a.dataset_id
          WHERE a.id = $1 AND a.worker_id = $2`,
};

const SUBMIT = {
  name: 'submission_submit',
  text: 'SELECT submit_assignment($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9) AS result',
};

// The SQL of a submission: one read to validate and score, one call of submit_assignment
// (migrations/*-SubmitAssignmentFunction.ts) to store it, each a prepared statement and a
// transaction of its own, so no row lock is held across a round trip.
@Injectable()
export class SubmissionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // One's own assignment (someone else's is indistinguishable from a missing one) with the
  // dataset's terms and the gold labels of its gold items. No lock: the state is checked again
  // under the lock by submit_assignment. The gold labels are read only inside the service, for
  // scoring; they are never returned to a caller.
  async read(key: {
    id: string;
    workerId: string;
  }): Promise<{ assignment: AssignmentRow; terms: SubmitTerms; gold: GoldLabel[] } | null> {
    const [row] = await preparedRows<
      RawAssignment & {
        dataset_status: DatasetStatus;
        label_schema: LabelSchema;
        gold: GoldLabel[];
      }
    >(this.dataSource, READ, [key.id, key.workerId]);
    if (!row) return null;
    return {
      assignment: toAssignmentRow(row),
      gold: row.gold,
      terms: {
        status: row.dataset_status,
        labelSchema: row.label_schema,
      },
    };
  }

  // Stores the submission (answers not yet counted, SUBMITTED with its gold score, the worker's
  // pending counters, the verdict request when due) under the assignment's lock, in one
  // statement; or says why not. unique(item, worker) on answers stays the last line of defence
  // for invariant 1.
  async submit(params: {
    workerId: string;
    assignmentId: string;
    answers: NormalisedAnswer[];
    hash: string;
    goldCorrect: number;
    goldTotal: number;
    now: Date;
    verdictMinGold: number;
    verdictMaxDelaySeconds: number;
  }): Promise<SubmitOutcome> {
    const answers = JSON.stringify(params.answers.map((a) => ({ item_id: a.itemId, value: a.value })));
    const [row] = await preparedRows<{
      result: {
        outcome: SubmitOutcome['outcome'];
        status?: AssignmentRow['status'];
        hash?: string | null;
        submittedAt?: string | null;
        verdictAt?: string | null;
      };
    }>(this.dataSource, SUBMIT, [
      params.workerId,
      params.assignmentId,
      answers,
      params.hash,
      params.goldCorrect,
      params.goldTotal,
      params.now,
      params.verdictMinGold,
      params.verdictMaxDelaySeconds,
    ]);
    const r = row.result;
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
}
