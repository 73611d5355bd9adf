// Splits an NDJSON byte stream into numbered lines without ever holding more than one line
// (bounded by maxLineBytes) plus the current chunk. A line longer than maxLineBytes is skipped
// to its end and reported as too large, so one bad line never costs memory or the whole upload.
// Pure: Buffers in, lines out. "\n" and "\r\n" both end a line (0x0A never occurs inside a
// UTF-8 multi-byte sequence, so splitting bytes is safe).

// `bytes` is the line's content (no line ending, no byte order mark); it may share memory with
// the chunk it came from, so copy it before the chunk is reused.
export type SplitLine = { line: number; text: string; bytes: Buffer } | { line: number; tooLarge: true };

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private overflow = false;
  private lineNo = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Lines completed by this chunk are appended to `out`. */
  push(chunk: Buffer, out: SplitLine[]): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        this.keep(chunk, start);
        return;
      }
      this.finish(chunk, start, nl, out);
      start = nl + 1;
    }
  }

  /** Emits a last line that has no trailing newline. */
  end(out: SplitLine[]): void {
    if (this.partBytes > 0) this.finish(Buffer.alloc(0), 0, 0, out);
  }

  get linesSeen(): number {
    return this.lineNo;
  }

  private keep(chunk: Buffer, start: number): void {
    const rest = chunk.length - start;
    if (rest === 0) return;
    this.partBytes += rest;
    // One extra byte is allowed for a "\r" that will be stripped.
    if (!this.overflow && this.partBytes > this.maxLineBytes + 1) {
      this.overflow = true;
      this.parts = [];
    }
    if (!this.overflow) this.parts.push(chunk.subarray(start));
  }

  private finish(chunk: Buffer, start: number, end: number, out: SplitLine[]): void {
    const line = ++this.lineNo;
    const total = this.partBytes + (end - start);
    const lastByte =
      end > start ? chunk[end - 1] : this.parts.length ? this.parts[this.parts.length - 1].at(-1) : undefined;
    const contentBytes = lastByte === CR ? total - 1 : total;
    if (this.overflow || contentBytes > this.maxLineBytes) {
      out.push({ line, tooLarge: true });
    } else {
      let bytes =
        this.parts.length === 0
          ? chunk.subarray(start, start + contentBytes)
          : Buffer.concat([...this.parts, chunk.subarray(start, end)]).subarray(0, contentBytes);
      if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      out.push({ line, text: bytes.toString('utf8'), bytes });
    }
    this.parts = [];
    this.partBytes = 0;
    this.overflow = false;
  }
}

/** Whitespace-only lines are skipped (not counted as rejected). */
export function isBlankLine(text: string): boolean {
  return text.length === 0 || text.trim().length === 0;
}
