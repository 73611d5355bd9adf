import { createCsvRecordSplitter, CsvSyntaxError } from './csv-records';

/** Splits `text` fed in pieces of `size` characters (so every record crosses chunk borders). */
function split(text: string, size = text.length): { rows: string[][]; lines: number[] } {
  const rows: string[][] = [],
    lines: number[] = [];
  const splitter = createCsvRecordSplitter((row) => {
    rows.push(row);
    lines.push(splitter.line);
  });
  for (let p = 0; p < text.length; p += size) splitter.push(text.slice(p, p + size));
  splitter.end();
  return { rows, lines };
}

describe('createCsvRecordSplitter', () => {
  it.each<[string, string, string[][]]>([
    [
      'plain rows, LF',
      'item,worker,label\na,w1,cat\n',
      [
        ['item', 'worker', 'label'],
        ['a', 'w1', 'cat'],
      ],
    ],
    [
      'CRLF and no final newline',
      'a,b\r\nc,d',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      'a BOM, blank lines and blanks around fields',
      '\ufeffa , b\n\n  \n c,d \n',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    ['a quoted comma and an escaped quote', '"b,2",w1,"say ""hi"""\n', [['b,2', 'w1', 'say "hi"']]],
    ['blanks outside quotes trimmed, inside kept', ' " x " ,y\n', [[' x ', 'y']]],
    [
      'a quoted field across lines',
      '"two\nlines",w\nnext,row\n',
      [
        ['two\nlines', 'w'],
        ['next', 'row'],
      ],
    ],
    ['an empty quoted field', '"",a\n', [['', 'a']]],
  ])('%s', (_name, text, expected) => {
    expect(split(text).rows).toEqual(expected);
    // The same records whatever the chunking, down to one character at a time.
    for (const size of [1, 2, 3, 7]) expect(split(text, size).rows).toEqual(expected);
  });

  it('reports the physical line each record starts on', () => {
    expect(split('h,h\n"a\nb",c\n\nd,e\n', 4).lines).toEqual([1, 2, 5]);
  });

  it.each<[string, string, RegExp]>([
    ['an unclosed quote', 'a,"b\nc\n', /line 1: quoted field is not closed/],
    ['text after a closing quote', 'x\n"a"b,c\n', /line 2: unexpected character after a closing quote/],
    ['a quote inside an unquoted field', 'a,b"c",d\n', /line 1: quote inside an unquoted field/],
  ])('rejects %s with its line', (_name, text, message) => {
    expect(() => split(text)).toThrow(CsvSyntaxError);
    expect(() => split(text, 2)).toThrow(message);
  });
});
