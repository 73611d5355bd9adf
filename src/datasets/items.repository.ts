import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { inTransaction } from '../database/transaction';
import { rowsOf } from '../database/query-rows';

/** PostgreSQL refused a row's data (SQLSTATE class 22: a number beyond numeric's range, bytes that
 * are not UTF-8, ...); the whole batch was rolled back. */
export class UnstorableRowError extends Error {}

export interface BatchResult {
  inserted: number;
  goldInserted: number;
}

// One statement per batch, in its own transaction: the rows go in as one jsonb array (the
// validated upload lines themselves; jsonb_array_elements measured ~15% faster here than
// jsonb_to_recordset), keep their order (seq follows the upload), skip external ids the dataset
// already has, and bump the dataset's counters only while it is still DRAFT. If the dataset was
// published or cancelled meanwhile, the UPDATE matches nothing and the batch rolls back whole.
const INSERT_BATCH = `
WITH ins AS (
  INSERT INTO items (dataset_id, external_id, payload, is_gold, gold_label)
  SELECT $1::uuid, r.e, r.p, r.g IS NOT NULL, r.g
  FROM (
    SELECT j->>'externalId' AS e, j->'payload' AS p, nullif(j->'goldLabel', 'null'::jsonb) AS g, n
    FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS a(j, n)
  ) r
  ORDER BY r.n
  ON CONFLICT (dataset_id, external_id) DO NOTHING
  RETURNING is_gold
), counted AS (
  SELECT count(*)::int AS inserted, (count(*) FILTER (WHERE is_gold))::int AS gold FROM ins
)
UPDATE datasets d
SET item_count = d.item_count + c.inserted, gold_item_count = d.gold_item_count + c.gold, updated_at = now()
FROM counted c
WHERE d.id = $1 AND d.status = 'DRAFT'
RETURNING c.inserted, c.gold`;

@Injectable()
export class ItemsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `rows`: a binary jsonb array (see JsonbBatch) of valid items ({ externalId?, payload,
   * goldLabel? }, see itemJson); JSON null external ids and gold labels arrive as SQL NULL. */
  async insertBatch(datasetId: string, rows: Buffer): Promise<BatchResult> {
    // Two uploads racing on overlapping external ids can deadlock; inTransaction retries.
    return inTransaction(this.dataSource, async (manager) => {
      const result = await manager.query(INSERT_BATCH, [datasetId, rows]).catch((error: unknown) => {
        throw isDataException(error) ? new UnstorableRowError('PostgreSQL refused a row of the batch') : error;
      });
      const returned = rowsOf<{ inserted: number; gold: number }>(result);
      if (returned.length === 0)
        throw new DomainError(
          'INVALID_TRANSITION',
          'The dataset no longer accepts items: it left DRAFT during the upload',
        );
      return { inserted: returned[0].inserted, goldInserted: returned[0].gold };
    });
  }
}

function isDataException(error: unknown): boolean {
  const code = (error as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof code === 'string' && code.startsWith('22');
}
