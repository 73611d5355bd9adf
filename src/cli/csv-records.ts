// A streaming RFC 4180 record splitter for the CLI's inputs, written for speed: reading the CSV
// was most of `aggregate`'s time with a general-purpose parser (a per-character state machine
// and an async iterator step per record). Each chunk is split into lines with one native split;
// a line without a quote is split on commas directly, and only a line with quotes takes the
// character-by-character path (joined with the following lines while a quoted field is open).
// Pure: text chunks in, rows out.
//
// Dialect (what the CLI has always accepted): comma separator, LF or CRLF line ends, a UTF-8 BOM
// at the start is skipped, blank lines are skipped, blanks (space, tab, CR, NBSP) around a field
// are trimmed (around the quotes, for a quoted field, whose content is kept verbatim), "" inside
// quotes is one quote, and a quoted field may span lines.

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';

  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export interface CsvRecordSplitter {
  /** Feeds the next chunk of text; calls onRow for every record completed by it. */
  push(chunk: string): void;
  /** Ends the input: emits the last record (no final newline needed). */
  end(): void;
  /** Physical line number (from 1) where the record last passed to onRow starts. */
  readonly line: number;
}

export function createCsvRecordSplitter(onRow: (row: string[]) => void): CsvRecordSplitter {
  let pending = '';
  let first = true;
  let lineNo = 0; // physical lines consumed so far
  let recordLine = 0;

  const emit = (fields: string[], startLine: number): void => {
    recordLine = startLine;
    onRow(fields);
  };

  /** Emits the complete records of `text`; returns the unconsumed tail (an incomplete record). */
  const consume = (text: string, final: boolean): string => {
    const lines = text.split('\n');
    const last = final ? lines.length : lines.length - 1; // without a final newline the tail may be cut
    let j = 0;
    while (j < last) {
      const line = lines[j];
      if (line.indexOf('"') === -1) {
        lineNo++;
        j++;
        const fields = splitPlain(line);
        if (fields.length > 1 || fields[0] !== '') emit(fields, lineNo);
        continue;
      }
      // A quoted field may hold newlines: join lines until every quote is closed.
      let record = line,
        end = j,
        quotes = countQuotes(line);
      while (quotes % 2 === 1 && end + 1 < last) {
        end++;
        record += `\n${lines[end]}`;
        quotes += countQuotes(lines[end]);
      }
      if (quotes % 2 === 1) {
        if (final) throw new CsvSyntaxError('quoted field is not closed', lineNo + 1);
        return lines.slice(j).join('\n');
      }
      emit(parseQuoted(record, lineNo + 1), lineNo + 1);
      lineNo += end - j + 1;
      j = end + 1;
    }
    return final ? '' : lines[last];
  };

  return {
    push(chunk) {
      let text = pending.length > 0 ? pending + chunk : chunk;
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      pending = consume(text, false);
    },
    end() {
      if (pending.length > 0) pending = consume(pending, true);
    },
    get line() {
      return recordLine;
    },
  };
}

function countQuotes(line: string): number {
  let n = 0;
  for (let p = line.indexOf('"'); p !== -1; p = line.indexOf('"', p + 1)) n++;
  return n;
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 0xa0;
}

function trimBlanks(v: string): string {
  return v.length > 0 && (isBlank(v.charCodeAt(0)) || isBlank(v.charCodeAt(v.length - 1))) ? v.trim() : v;
}

function splitPlain(line: string): string[] {
  const fields = line.split(',');
  for (let f = 0; f < fields.length; f++) fields[f] = trimBlanks(fields[f]);
  return fields;
}

/** Fields of one complete record that contains quotes (its quotes are balanced). */
function parseQuoted(record: string, line: number): string[] {
  const fields: string[] = [];
  const n = record.length;
  let p = 0;
  for (;;) {
    while (p < n && isBlank(record.charCodeAt(p))) p++;
    if (p < n && record.charCodeAt(p) === 34) {
      let value = '';
      let from = p + 1;
      for (;;) {
        const q = record.indexOf('"', from);
        if (q === -1) throw new CsvSyntaxError('quoted field is not closed', line);
        value += record.slice(from, q);
        if (record.charCodeAt(q + 1) === 34) {
          value += '"';
          from = q + 2;
          continue;
        }
        p = q + 1;
        break;
      }
      while (p < n && isBlank(record.charCodeAt(p))) p++;
      if (p < n && record.charCodeAt(p) !== 44)
        throw new CsvSyntaxError('unexpected character after a closing quote', line);
      fields.push(value);
    } else {
      const comma = record.indexOf(',', p);
      const end = comma === -1 ? n : comma;
      const value = record.slice(p, end);
      if (value.indexOf('"') !== -1) throw new CsvSyntaxError('quote inside an unquoted field', line);
      fields.push(trimBlanks(value));
      p = end;
    }
    if (p >= n) return fields;
    p++; // the comma
  }
}
