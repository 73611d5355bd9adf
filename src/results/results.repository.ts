import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DatasetStatus, ItemStatus } from '../datasets/dataset-status';
import { countOf } from '../database/query-rows';

// Read queries of the results area: keyset pages over regular items (by seq) and worker stats
// (by worker id), and the stored agreement of the last full aggregation.

export interface DatasetAccessRow {
  ownerId: string;
  status: DatasetStatus;
  /** The dataset's regular items: its counters, kept exactly by the ingest's own statement (items
   * are only ever added, and only in DRAFT); counting the items read every one of them. */
  regularItems: number;
}

export interface ItemResultRow {
  id: string;
  seq: string;
  externalId: string | null;
  label: unknown;
  confidence: number | null;
  answers: number;
  status: ItemStatus;
  method: string | null;
}

export interface WorkerQualityRow {
  workerId: string;
  answers: number;
  goldSeen: number;
  goldCorrect: number;
  estimatedAccuracy: number | null;
  blocked: boolean;
  blockReason: string | null;
  submitted: number;
  abandoned: number;
  pending: number;
  regularCompared: number;
  regularAgreed: number;
}

export interface AgreementRow {
  fleissKappa: number | null;
  krippendorffAlpha: number | null;
  meanConfidence: number | null;
}

@Injectable()
export class ResultsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async datasetAccess(datasetId: string): Promise<DatasetAccessRow | null> {
    const rows: { owner_id: string; status: DatasetStatus; regular_items: number }[] = await this.dataSource.query(
      'SELECT owner_id, status, item_count - gold_item_count AS regular_items FROM datasets WHERE id = $1',
      [datasetId],
    );
    return rows[0] ? { ownerId: rows[0].owner_id, status: rows[0].status, regularItems: rows[0].regular_items } : null;
  }

  async itemResultsPage(params: {
    datasetId: string;
    afterSeq: string | null;
    limit: number;
  }): Promise<ItemResultRow[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT i.id, i.seq::text AS seq, i.external_id, r.label, r.confidence, COALESCE(r.answers, i.answer_count) AS answers, i.status, r.method
         FROM items i LEFT JOIN item_results r ON r.item_id = i.id
        WHERE i.dataset_id = $1 AND NOT i.is_gold AND i.seq > $2::bigint
        ORDER BY i.seq LIMIT $3`,
      [params.datasetId, params.afterSeq ?? '0', params.limit],
    );
    return rows.map((r) => ({
      id: r.id as string,
      seq: r.seq as string,
      externalId: r.external_id as string | null,
      label: r.label ?? null,
      confidence: r.confidence as number | null,
      answers: r.answers as number,
      status: r.status as ItemStatus,
      method: r.method as string | null,
    }));
  }

  async workerQualityPage(params: {
    datasetId: string;
    afterWorkerId: string | null;
    limit: number;
  }): Promise<{ rows: WorkerQualityRow[]; totalCount: () => Promise<number> }> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT worker_id, answers, gold_seen, gold_correct, estimated_accuracy, blocked, block_reason, submitted, abandoned, pending, regular_compared, regular_agreed FROM worker_stats
        WHERE dataset_id = $1 AND ($2::uuid IS NULL OR worker_id > $2::uuid)
        ORDER BY worker_id LIMIT $3`,
      [params.datasetId, params.afterWorkerId, params.limit],
    );
    return {
      totalCount: () =>
        countOf(this.dataSource.manager, 'SELECT count(*)::int AS n FROM worker_stats WHERE dataset_id = $1', [
          params.datasetId,
        ]),
      rows: rows.map((r) => ({
        workerId: r.worker_id as string,
        answers: r.answers as number,
        goldSeen: r.gold_seen as number,
        goldCorrect: r.gold_correct as number,
        estimatedAccuracy: r.estimated_accuracy as number | null,
        blocked: r.blocked as boolean,
        blockReason: r.block_reason as string | null,
        submitted: r.submitted as number,
        abandoned: r.abandoned as number,
        pending: r.pending as number,
        regularCompared: r.regular_compared as number,
        regularAgreed: r.regular_agreed as number,
      })),
    };
  }

  async agreement(datasetId: string): Promise<AgreementRow | null> {
    const rows: { fleiss_kappa: number | null; krippendorff_alpha: number | null; mean_confidence: number | null }[] =
      await this.dataSource.query(
        'SELECT fleiss_kappa, krippendorff_alpha, mean_confidence FROM dataset_consensus WHERE dataset_id = $1',
        [datasetId],
      );
    const r = rows[0];
    return r
      ? { fleissKappa: r.fleiss_kappa, krippendorffAlpha: r.krippendorff_alpha, meanConfidence: r.mean_confidence }
      : null;
  }
}
