import { type CsvError, parse } from 'csv-parse';
import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { DomainError } from '../common/domain-error';
import { csvRowToItem, readCsvHeader, type CsvHeader } from './csv-items';
import { checkItemLine, type ItemCheck, type LabelSchemaShape } from './item-validation';
import { isBlankLine, LineSplitter, type SplitLine } from './line-splitter';

// Turn an upload body (an async stream of Buffers) into checked rows, a chunk at a time. Both
// readers pull from the source only when the consumer asks for more, so a slow database slows
// the client down (TCP backpressure) instead of filling memory.

export type UploadFormat = 'ndjson' | 'csv';

export interface CheckedRow {
  line: number;
  check: ItemCheck;
  // The row's JSON text as uploaded (NDJSON), stored verbatim when the item is canonical.
  raw?: Buffer;
}

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
]);
const CSV_TYPES = new Set(['text/csv', 'application/csv']);

export function uploadFormatOf(contentType: string | undefined): UploadFormat | null {
  const mime = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (NDJSON_TYPES.has(mime)) return 'ndjson';
  if (CSV_TYPES.has(mime)) return 'csv';
  return null;
}

// `curl -d @file` (and --data) strips every CR and LF from the file: the body arrives as one line.
const NEWLINES_STRIPPED =
  'The body has no line breaks: they were probably stripped by curl -d/--data. Send the file as it is with --data-binary @FILE or -T FILE';
const newlinesStripped = (): DomainError => new DomainError('NEWLINES_STRIPPED', NEWLINES_STRIPPED);
// NDJSON objects run together ("}{"), which is what a stripped NDJSON file looks like.
const OBJECTS_RUN_TOGETHER = /\}\s*\{/;

/** Passes chunks through and fails with PAYLOAD_TOO_LARGE once more than maxBytes arrived. */
export async function* limitBytes(source: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > maxBytes)
      throw new DomainError('PAYLOAD_TOO_LARGE', `Upload is larger than UPLOAD_MAX_BYTES (${maxBytes} bytes)`);
    yield chunk;
  }
}

export async function* ndjsonRows(
  source: AsyncIterable<Buffer>,
  params: { schema: LabelSchemaShape; maxLineBytes: number },
): AsyncGenerator<CheckedRow[]> {
  const splitter = new LineSplitter(params.maxLineBytes);
  const lines: SplitLine[] = [];
  const toRows = (): CheckedRow[] => {
    const rows: CheckedRow[] = [];
    for (const l of lines) {
      if (!('text' in l))
        rows.push({
          line: l.line,
          check: {
            ok: false,
            code: 'LINE_TOO_LARGE',
            message: `line is longer than UPLOAD_MAX_LINE_BYTES (${params.maxLineBytes} bytes)`,
          },
        });
      // Bytes that are not UTF-8 decode to U+FFFD, which JSON accepts but PostgreSQL would not store.
      else if (l.text.includes('\uFFFD') && !isUtf8(l.bytes))
        rows.push({ line: l.line, check: { ok: false, code: 'INVALID_JSON', message: 'line is not valid UTF-8' } });
      else if (!isBlankLine(l.text))
        rows.push({ line: l.line, check: checkItemLine(params.schema, l.text), raw: l.bytes });
    }
    lines.length = 0;
    return rows;
  };
  for await (const chunk of source) {
    splitter.push(chunk, lines);
    yield toRows();
  }
  const noLineBreak = splitter.linesSeen === 0;
  splitter.end(lines);
  const last = lines[0];
  if (
    noLineBreak &&
    last &&
    ('tooLarge' in last || (OBJECTS_RUN_TOGETHER.test(last.text) && !checkItemLine(params.schema, last.text).ok))
  )
    throw newlinesStripped();
  yield toRows();
}

// csv-parse does the quoting; its per-record errors (bad quotes) become rejected rows, a record
// over maxRecordBytes stops the upload (csv-parse would otherwise buffer it whole).
export async function* csvRows(
  source: AsyncIterable<Buffer>,
  params: { schema: LabelSchemaShape; maxLineBytes: number },
): AsyncGenerator<CheckedRow[]> {
  const skipped: CheckedRow[] = [];
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: params.maxLineBytes,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined) => {
      if (err?.code === 'CSV_MAX_RECORD_SIZE') throw err;
      const line = Number((err as { lines?: number } | undefined)?.lines ?? 0);
      if (!skipped.some((r) => r.line === line))
        skipped.push({
          line,
          check: { ok: false, code: 'INVALID_CSV', message: 'row is not valid CSV (check quoting)' },
        });
      return undefined;
    },
  });
  let lineBreakSeen = false;
  const watched = (async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      lineBreakSeen ||= chunk.includes(0x0a) || chunk.includes(0x0d);
      yield chunk;
    }
  })();
  const input = Readable.from(watched, { objectMode: false });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let header: CsvHeader | null = null;
  let dataRows = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const rows = skipped.splice(0);
      if (header === null) {
        const check = readCsvHeader(record);
        if (!check.ok) throw lineBreakSeen ? new DomainError('BAD_USER_INPUT', check.message) : newlinesStripped();
        header = check.header;
      } else {
        dataRows++;
        rows.push({ line: info.lines, check: csvRowToItem(params.schema, header, record) });
      }
      if (rows.length) yield rows;
    }
  } catch (error) {
    if ((error as CsvError).code === 'CSV_MAX_RECORD_SIZE') {
      if (!lineBreakSeen) throw newlinesStripped();
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `CSV record at line ${(error as { lines?: number }).lines ?? '?'} is longer than UPLOAD_MAX_LINE_BYTES (${params.maxLineBytes} bytes)`,
      );
    }
    throw error;
  } finally {
    input.destroy();
  }
  // One record and no line break anywhere: a header and nothing else, or a whole file run together.
  if (!lineBreakSeen && header !== null && dataRows === 0 && skipped.length === 0) throw newlinesStripped();
  if (skipped.length) yield skipped.splice(0);
}
