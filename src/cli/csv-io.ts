import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { decodeLabels, type AggregationResult, type AnswerEncoder, type EncodedAnswers } from '../consensus';
import { CliUsageError } from './cli-error';
import { createCsvRecordSplitter, CsvSyntaxError } from './csv-records';

// CSV in and out for the CLI (and the benchmarks). Input is streamed chunk by chunk through the
// record splitter into the answer encoder, so memory is the typed arrays plus the id
// dictionaries, not the file text.

const READ_CHUNK_BYTES = 1 << 20;

/** Streams `path` (header must be exactly `expectedHeader`) and calls onRow for every data row. */
export async function readCsv(params: {
  path: string;
  expectedHeader: readonly string[];
  onRow: (row: string[]) => void;
}): Promise<number> {
  const { path, expectedHeader, onRow } = params;
  let records = 0;
  const splitter = createCsvRecordSplitter((row) => {
    records++;
    if (records === 1) {
      if (row.length !== expectedHeader.length || row.some((v, i) => v.toLowerCase() !== expectedHeader[i])) {
        throw new CliUsageError(`${path}: header must be "${expectedHeader.join(',')}", got "${row.join(',')}"`);
      }
      return;
    }
    if (row.length !== expectedHeader.length)
      throw new CliUsageError(`${path}:${splitter.line}: expected ${expectedHeader.length} fields, got ${row.length}`);
    if (row.some((v) => v === '')) throw new CliUsageError(`${path}:${splitter.line}: empty field`);
    try {
      onRow(row);
    } catch (error: unknown) {
      // The encoder rejects bad data (unknown class, conflicting gold) with a RangeError.
      if (error instanceof RangeError) throw new CliUsageError(`${path}:${splitter.line}: ${error.message}`);
      throw error;
    }
  });
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk) => {
        try {
          splitter.push(chunk as string);
        } catch (error: unknown) {
          stream.destroy();
          reject(error);
        }
      });
      stream.on('error', reject);
      stream.on('end', () => {
        try {
          splitter.end();
          resolve();
        } catch (error: unknown) {
          reject(error);
        }
      });
    });
  } catch (error: unknown) {
    if (error instanceof CliUsageError) throw error;
    if (error instanceof CsvSyntaxError) throw new CliUsageError(`${path}: ${error.message}`);
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')
      throw new CliUsageError(`cannot read ${path} (${code})`);
    throw error;
  }
  if (records === 0) throw new CliUsageError(`${path}: empty file (expected header "${expectedHeader.join(',')}")`);
  return records - 1;
}

/** Reads an `item,worker,label` answers file and an optional `item,label` gold file. */
export async function readAnswerFiles(params: {
  encoder: AnswerEncoder;
  answersPath: string;
  goldPath?: string;
}): Promise<EncodedAnswers> {
  const { encoder } = params;
  await readCsv({
    path: params.answersPath,
    expectedHeader: ['item', 'worker', 'label'],
    onRow: (r) => encoder.add(r[0], r[1], r[2]),
  });
  if (params.goldPath !== undefined) {
    await readCsv({
      path: params.goldPath,
      expectedHeader: ['item', 'label'],
      onRow: (r) => encoder.addGold(r[0], r[1]),
    });
  }
  return encoder.build();
}

/** Writes `item,label,confidence` rows, honouring back-pressure in ~64 KB chunks. */
export async function writeLabelsCsv(params: {
  encoded: EncodedAnswers;
  result: AggregationResult;
  out: NodeJS.WritableStream;
}): Promise<void> {
  const { out } = params;
  let chunk = 'item,label,confidence\n';
  for (const row of decodeLabels(params.encoded, params.result)) {
    chunk += `${csvField(row.item)},${row.label === null ? '' : csvField(row.label)},${formatConfidence(row.confidence)}\n`;
    if (chunk.length >= 65536) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  if (chunk.length > 0 && !out.write(chunk)) await once(out, 'drain');
}

export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Six decimals, trailing zeros dropped: stable across platforms and diff-friendly. */
export function formatConfidence(value: number): string {
  return Number(value.toFixed(6)).toString();
}
