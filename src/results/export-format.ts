// Row formatting of GET /datasets/:id/export. Pure: rows in, text out.

export type ExportFormat = 'jsonl' | 'csv';

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** The contract's columns, then itemId (appended so positional CSV readers keep working; it is
 * the only identifier of an item uploaded without an externalId). */
export const EXPORT_COLUMNS = ['externalId', 'label', 'confidence', 'answers', 'status', 'method', 'itemId'] as const;

export interface ExportRow {
  externalId: string | null;
  label: unknown;
  confidence: number | null;
  answers: number;
  status: string;
  method: string | null;
  itemId: string;
}

/** Absent means jsonl; anything else but jsonl / csv is refused (null). */
export function parseExportFormat(value: unknown): ExportFormat | null {
  if (value === undefined) return 'jsonl';
  return value === 'jsonl' || value === 'csv' ? value : null;
}

export function jsonLine(row: ExportRow): string {
  return `${JSON.stringify({ externalId: row.externalId, label: row.label ?? null, confidence: row.confidence, answers: row.answers, status: row.status, method: row.method, itemId: row.itemId })}\n`;
}

export function csvHeader(): string {
  return `${EXPORT_COLUMNS.join(',')}\r\n`;
}

/** RFC 4180: CRLF line ends; a field with a comma, quote, CR or LF is quoted, quotes doubled.
 * A label that is not a string (a class list, a rating) is written as its JSON text. Text that
 * came from people (external ids, string labels such as free-text answers) is made
 * spreadsheet-safe first. */
export function csvLine(row: ExportRow): string {
  const label =
    row.label === null || row.label === undefined
      ? ''
      : typeof row.label === 'string'
        ? spreadsheetSafe(row.label)
        : JSON.stringify(row.label);
  const fields = [
    spreadsheetSafe(row.externalId ?? ''),
    label,
    row.confidence === null ? '' : String(row.confidence),
    String(row.answers),
    row.status,
    row.method ?? '',
    row.itemId,
  ];
  return `${fields.map(csvField).join(',')}\r\n`;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** A labeler's free-text answer such as `=HYPERLINK(...)` would run as a formula when the team
 * opens the CSV in a spreadsheet (CSV injection). Text starting with = + - @ TAB or CR gets a
 * leading apostrophe, which spreadsheets show as text; plain numbers like -3 are left alone.
 * JSONL exports carry every value unchanged. */
export function spreadsheetSafe(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
