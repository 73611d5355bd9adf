import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/current-account';
import { badInput, DomainError } from '../common/domain-error';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { acceptsItems } from './dataset-lifecycle';
import type { DatasetEntity } from './dataset.entity';
import type { AddItemsResultModel } from './dataset.model';
import { DatasetsService } from './datasets.service';
import { checkItem, itemJson, type ItemRejectionCode, type LabelSchemaShape } from './item-validation';
import { ItemsRepository, UnstorableRowError } from './items.repository';
import { JsonbBatch, jsonbArray, sliceRows, type PackedRows } from './jsonb-batch';
import { csvRows, limitBytes, ndjsonRows, uploadFormatOf } from './upload-readers';

export const MAX_ADD_ITEMS = 1000;
export const MAX_REJECTED_REPORTED = 1000;
// A batch is written when it holds this many rows or bytes, whichever comes first. At most two
// batches exist at a time (one being written, one being filled), so memory stays flat.
export const BATCH_ROWS = 5000;
export const BATCH_BYTES = 4 * 1024 * 1024;
const UNSTORABLE_MESSAGE = 'PostgreSQL cannot store this item (for instance a number beyond its numeric range)';

export interface RejectedLine {
  line: number;
  code: ItemRejectionCode;
  message: string;
}

export interface UploadSummary {
  inserted: number;
  duplicates: number;
  rejected: RejectedLine[];
  // All rejected lines; `rejected` lists the first MAX_REJECTED_REPORTED of them.
  rejectedCount: number;
}

export interface UploadRequest {
  datasetId: string;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  contentLength: number | null;
  body: AsyncIterable<Buffer>;
}

// Writes batches one after another while the next one is being parsed: the database and the
// parser overlap, and the order of rows (their seq) follows the upload. A batch is one buffer of
// row JSON (JsonbBatch), never parsed objects, so memory stays flat however long the upload.
class BatchWriter {
  inserted = 0;
  duplicates = 0;
  // Line numbers of rows PostgreSQL refused (see ItemIngestService.insertStorable).
  readonly unstorableLines: number[] = [];
  private readonly batch = new JsonbBatch(256 * 1024);
  private lines: number[] = [];
  private writing: Promise<void> | null = null;

  constructor(private readonly write: (rows: PackedRows) => Promise<{ inserted: number; unstorable: number[] }>) {}

  add(row: Buffer | string, line: number): boolean {
    this.batch.add(row);
    this.lines.push(line);
    return this.batch.rows >= BATCH_ROWS || this.batch.bytes >= BATCH_BYTES;
  }

  async flush(): Promise<void> {
    if (this.writing) await this.writing;
    if (this.batch.rows === 0) return;
    const lines = this.lines;
    this.lines = [];
    const writing = this.write(this.batch.take()).then((r) => {
      this.inserted += r.inserted;
      this.duplicates += lines.length - r.unstorable.length - r.inserted;
      for (const i of r.unstorable) this.unstorableLines.push(lines[i]);
    });
    writing.catch(() => undefined); // awaited by the next flush or by settle()
    this.writing = writing;
  }

  async finish(): Promise<void> {
    await this.flush();
    await this.writing;
  }

  async settle(): Promise<void> {
    await this.writing?.catch(() => undefined);
  }
}

@Injectable()
export class ItemIngestService {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly items: ItemsRepository,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async upload(principal: Principal, request: UploadRequest): Promise<UploadSummary> {
    const dataset = this.assertAcceptsItems(await this.datasets.getManageable(principal, request.datasetId));
    const format = uploadFormatOf(request.contentType);
    if (!format)
      throw new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Upload items as application/x-ndjson (one item a line) or text/csv (header row)',
      );
    if (request.contentEncoding && request.contentEncoding.toLowerCase() !== 'identity')
      throw new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Compressed uploads are not supported; send the body uncompressed',
      );
    if (request.contentLength !== null && request.contentLength > this.config.uploadMaxBytes)
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `Upload is larger than UPLOAD_MAX_BYTES (${this.config.uploadMaxBytes} bytes)`,
      );

    const params = { schema: dataset.labelSchema as LabelSchemaShape, maxLineBytes: this.config.uploadMaxLineBytes };
    const source = limitBytes(request.body, this.config.uploadMaxBytes);
    const rows = format === 'ndjson' ? ndjsonRows(source, params) : csvRows(source, params);
    const writer = new BatchWriter((batch) => this.insertStorable(dataset.id, batch));
    const rejected: RejectedLine[] = [];
    let rejectedCount = 0;
    try {
      for await (const group of rows) {
        for (const row of group) {
          if (row.check.ok) {
            // A canonical NDJSON line goes in as uploaded; anything else is serialised.
            if (writer.add(row.check.item.source !== null && row.raw ? row.raw : itemJson(row.check.item), row.line))
              await writer.flush();
          } else {
            rejectedCount++;
            if (rejected.length < MAX_REJECTED_REPORTED)
              rejected.push({ line: row.line, code: row.check.code, message: row.check.message });
          }
        }
      }
      await writer.finish();
    } catch (error) {
      await writer.settle();
      // Batches committed before the failure stay; say how far the upload got.
      if (error instanceof DomainError)
        throw new DomainError(error.code, error.message, {
          ...error.details,
          inserted: writer.inserted,
          duplicates: writer.duplicates,
          rejectedCount: rejectedCount + writer.unstorableLines.length,
        });
      throw error;
    }
    for (const line of writer.unstorableLines)
      rejected.push({ line, code: 'INVALID_PAYLOAD', message: UNSTORABLE_MESSAGE });
    rejected.sort((a, b) => a.line - b.line);
    return {
      inserted: writer.inserted,
      duplicates: writer.duplicates,
      rejected: rejected.slice(0, MAX_REJECTED_REPORTED),
      rejectedCount: rejectedCount + writer.unstorableLines.length,
    };
  }

  // A line can pass validation and still be refused by PostgreSQL (a number beyond numeric's
  // range, such as 1e999999), which rolls back its whole batch. The batch is then split in halves
  // until each refused row is alone: a few more statements per bad row, and every other row is kept
  // in upload order. Returns the indexes of the refused rows.
  private async insertStorable(
    datasetId: string,
    rows: PackedRows,
  ): Promise<{ inserted: number; unstorable: number[] }> {
    const count = rows.starts.length;
    try {
      return { inserted: (await this.items.insertBatch(datasetId, rows.param)).inserted, unstorable: [] };
    } catch (error) {
      if (!(error instanceof UnstorableRowError)) throw error;
    }
    if (count === 1) return { inserted: 0, unstorable: [0] };
    const half = Math.ceil(count / 2);
    const left = await this.insertStorable(datasetId, sliceRows(rows, 0, half));
    const right = await this.insertStorable(datasetId, sliceRows(rows, half, count));
    return {
      inserted: left.inserted + right.inserted,
      unstorable: [...left.unstorable, ...right.unstorable.map((i) => i + half)],
    };
  }

  async addItems(principal: Principal, params: { datasetId: string; items: unknown[] }): Promise<AddItemsResultModel> {
    if (params.items.length > MAX_ADD_ITEMS)
      throw badInput(`addItems takes at most ${MAX_ADD_ITEMS} items; upload larger sets to POST /datasets/:id/items`, {
        field: 'items',
      });
    const dataset = this.assertAcceptsItems(await this.datasets.getManageable(principal, params.datasetId));
    const schema = dataset.labelSchema as LabelSchemaShape;
    const valid: string[] = [];
    const rejected: AddItemsResultModel['rejected'] = [];
    params.items.forEach((raw, index) => {
      const check = checkItem(schema, raw);
      if (check.ok) valid.push(itemJson(check.item));
      else rejected.push({ index, code: check.code, message: check.message });
    });
    const { inserted } = await this.items.insertBatch(dataset.id, jsonbArray(valid).param);
    return { inserted, duplicates: valid.length - inserted, rejected };
  }

  private assertAcceptsItems(dataset: DatasetEntity): DatasetEntity {
    if (!acceptsItems(dataset.status))
      throw new DomainError(
        'INVALID_TRANSITION',
        `Items can only be added while the dataset is DRAFT (it is ${dataset.status})`,
      );
    return dataset;
  }
}
