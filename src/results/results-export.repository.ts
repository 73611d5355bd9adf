import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import QueryStream from 'pg-query-stream';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { csvHeader, csvLine, jsonLine, type ExportFormat, type ExportRow } from './export-format';

const FETCH_ROWS = 2000;
// Rows are joined into chunks of about this size: one HTTP chunk per row would cost more in
// framing and syscalls than the rows themselves.
const CHUNK_CHARS = 64 * 1024;

const EXPORT_SQL = `
  SELECT i.id, i.external_id, r.label, r.confidence, COALESCE(r.answers, i.answer_count), i.status, r.method
    FROM items i LEFT JOIN item_results r ON r.item_id = i.id
   WHERE i.dataset_id = $1 AND NOT i.is_gold
   ORDER BY i.seq`;

// Streams every regular item of a dataset through a server-side cursor (pg-query-stream) into a
// writable, with backpressure: memory stays flat whatever the dataset's size. Gold items are
// not exported (their label is the requester's own input, never a result).
@Injectable()
export class ResultsExportRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async streamTo(params: { datasetId: string; format: ExportFormat; out: Writable }): Promise<number> {
    // A dedicated pool client: on failure it is destroyed rather than returned mid-cursor.
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const client = await pool.connect();
    let failure: Error | undefined;
    let rows = 0;
    const format = params.format === 'csv' ? csvLine : jsonLine;
    let pending = params.format === 'csv' ? csvHeader() : '';
    const toText = new Transform({
      writableObjectMode: true,
      transform(row: unknown[], _encoding, done) {
        rows++;
        pending += format(toExportRow(row));
        if (pending.length < CHUNK_CHARS) return done();
        const chunk = pending;
        pending = '';
        done(null, chunk);
      },
      flush(done) {
        done(null, pending || undefined);
      },
    });
    try {
      const cursor = client.query(
        new QueryStream(EXPORT_SQL, [params.datasetId], { batchSize: FETCH_ROWS, rowMode: 'array' }),
      );
      await pipeline(cursor, toText, params.out);
      return rows;
    } catch (error) {
      failure = error as Error;
      throw error;
    } finally {
      client.release(failure);
    }
  }
}

function toExportRow(row: unknown[]): ExportRow {
  const [itemId, externalId, label, confidence, answers, status, method] = row;
  return {
    itemId: itemId as string,
    externalId: externalId as string | null,
    label,
    confidence: confidence as number | null,
    answers: answers as number,
    status: status as string,
    method: method as string | null,
  };
}
