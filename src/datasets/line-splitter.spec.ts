import { isBlankLine, LineSplitter, type SplitLine } from './line-splitter';

function split(chunks: (string | Buffer)[], max = 16): SplitLine[] {
  const splitter = new LineSplitter(max);
  const out: SplitLine[] = [];
  for (const c of chunks) splitter.push(typeof c === 'string' ? Buffer.from(c) : c, out);
  splitter.end(out);
  return out;
}

const texts = (lines: SplitLine[]): (string | null)[] => lines.map((l) => ('text' in l ? l.text : null));

describe('LineSplitter', () => {
  it.each<[string, string[], (string | null)[]]>([
    ['one chunk, trailing newline', ['a\nb\n'], ['a', 'b']],
    ['no trailing newline', ['a\nb'], ['a', 'b']],
    ['CRLF endings', ['a\r\nb\r\n'], ['a', 'b']],
    ['CR split from LF across chunks', ['a\r', '\nb'], ['a', 'b']],
    ['line spread over chunks', ['ab', 'cd', 'e\nf'], ['abcde', 'f']],
    ['empty lines kept for numbering', ['a\n\n\nb\n'], ['a', '', '', 'b']],
    ['nothing', [], []],
    ['only a newline', ['\n'], ['']],
    ['byte order mark on the first line', ['\uFEFFa\n\uFEFFb'], ['a', '\uFEFFb']],
    ['exactly the limit', ['0123456789abcdef\n'], ['0123456789abcdef']],
    ['exactly the limit with CRLF', ['0123456789abcdef\r\n'], ['0123456789abcdef']],
    ['one byte over the limit', ['0123456789abcdefg\nok\n'], [null, 'ok']],
    ['over the limit across many chunks', ['01234567', '89abcdef', 'ghij', 'klmn\nok'], [null, 'ok']],
    ['over the limit as the last line', ['ok\n0123456789abcdefXYZ'], ['ok', null]],
  ])('%s', (_name, chunks, expected) => {
    expect(texts(split(chunks))).toEqual(expected);
  });

  it('gives each line its exact bytes, without CR or byte order mark', () => {
    const lines = split(['\uFEFF{"a":"é"}\r\n', '{"b"', ':2}\n'], 64);
    expect(lines.map((l) => ('bytes' in l ? l.bytes.toString('utf8') : null))).toEqual(['{"a":"é"}', '{"b":2}']);
  });

  it('numbers lines from 1, counting empty and too-large ones', () => {
    expect(split(['a\n', 'x'.repeat(40), '\n\nb']).map((l) => l.line)).toEqual([1, 2, 3, 4]);
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const bytes = Buffer.from('{"t":"héllo ✓"}\n');
    const cut = bytes.indexOf(0x9c); // inside the 3-byte check mark
    expect(texts(split([bytes.subarray(0, cut), bytes.subarray(cut)], 64))).toEqual(['{"t":"héllo ✓"}']);
  });

  it('measures the limit in bytes, not characters', () => {
    expect(texts(split(['ééééééééé\n'], 16))).toEqual([null]); // 9 characters, 18 bytes
    expect(texts(split(['éééééééé\n'], 16))).toEqual(['éééééééé']);
  });

  it('skips a megabyte-long line fed in small chunks and carries on', () => {
    const splitter = new LineSplitter(16);
    const out: SplitLine[] = [];
    for (let i = 0; i < 1000; i++) splitter.push(Buffer.alloc(1024, 0x61), out);
    splitter.push(Buffer.from('\nok\n'), out);
    expect(out).toEqual([
      { line: 1, tooLarge: true },
      { line: 2, text: 'ok', bytes: Buffer.from('ok') },
    ]);
    expect(splitter.linesSeen).toBe(2);
  });

  it.each([
    ['', true],
    ['  \t', true],
    [' a ', false],
  ])('isBlankLine(%p) = %p', (text, blank) => {
    expect(isBlankLine(text)).toBe(blank);
  });
});
