// A batch of JSON object texts packed into one buffer in PostgreSQL's binary jsonb format
// (version byte 1, then the JSON text `[row,row,...]`), sent as a single query parameter. Rows
// are copied straight from the upload's bytes, so a batch costs one buffer and no per-row
// objects or strings (which V8 would promote to the old generation while the batch fills).
// Pure: Buffers and strings only.

const JSONB_VERSION = 1;
const HEADER = 2; // version byte + '['
const OPEN = 0x5b; // [
const COMMA = 0x2c;
const CLOSE = 0x5d; // ]

/** A taken batch: the query parameter, and where each row starts in it (to split the batch). */
export interface PackedRows {
  param: Buffer;
  starts: readonly number[];
}

export class JsonbBatch {
  private buffer: Buffer;
  private length = HEADER;
  private starts: number[] = [];
  rows = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(Math.max(initialBytes, 16));
    this.buffer[0] = JSONB_VERSION;
    this.buffer[1] = OPEN;
  }

  /** JSON text of one object, as UTF-8 bytes or a string; the caller has validated it. */
  add(row: Buffer | string): void {
    const size = typeof row === 'string' ? Buffer.byteLength(row) : row.length;
    this.reserve(size + 2);
    if (this.rows > 0) this.buffer[this.length++] = COMMA;
    this.starts.push(this.length);
    this.length +=
      typeof row === 'string' ? this.buffer.write(row, this.length, 'utf8') : row.copy(this.buffer, this.length);
    this.rows++;
  }

  /** Bytes of JSON text held so far. */
  get bytes(): number {
    return this.length - HEADER;
  }

  /** The parameter value for `$n::jsonb` and its row offsets; the batch is empty again afterwards. */
  take(): PackedRows {
    this.reserve(1);
    this.buffer[this.length++] = CLOSE;
    const out = { param: Buffer.from(this.buffer.subarray(0, this.length)), starts: this.starts };
    this.length = HEADER;
    this.rows = 0;
    this.starts = [];
    return out;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + extra));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** Rows `from` (inclusive) to `to` (exclusive) of a taken batch, packed as a batch of their own. */
export function sliceRows(packed: PackedRows, from: number, to: number): PackedRows {
  const batch = new JsonbBatch(64);
  for (let i = from; i < to; i++) {
    const end = i + 1 < packed.starts.length ? packed.starts[i + 1] - 1 : packed.param.length - 1; // before ',' or ']'
    batch.add(packed.param.subarray(packed.starts[i], end));
  }
  return batch.take();
}

/** Packs whole rows at once (small batches, e.g. GraphQL addItems). */
export function jsonbArray(rows: readonly string[]): PackedRows {
  const batch = new JsonbBatch();
  for (const row of rows) batch.add(row);
  return batch.take();
}
