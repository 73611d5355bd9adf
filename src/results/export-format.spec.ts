import {
  csvField,
  csvHeader,
  csvLine,
  jsonLine,
  parseExportFormat,
  spreadsheetSafe,
  type ExportRow,
} from './export-format';

const row: ExportRow = {
  externalId: 'e1',
  label: 'cat',
  confidence: 0.75,
  answers: 4,
  status: 'LABELED',
  method: 'DAWID_SKENE',
  itemId: 'id-1',
};

describe('export format', () => {
  it.each<[unknown, string | null]>([
    [undefined, 'jsonl'],
    ['jsonl', 'jsonl'],
    ['csv', 'csv'],
    ['CSV', null],
    ['xml', null],
    ['', null],
    [['csv', 'csv'], null],
  ])('parseExportFormat(%p) = %p', (value, expected) => {
    expect(parseExportFormat(value)).toBe(expected);
  });

  it.each<[string, string]>([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['', ''],
  ])('csvField(%p) = %p', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it.each<[string, Partial<ExportRow>, string]>([
    ['a plain row', {}, 'e1,cat,0.75,4,LABELED,DAWID_SKENE,id-1\r\n'],
    [
      'an unaggregated item',
      { label: null, confidence: null, method: null, status: 'PENDING', answers: 0 },
      'e1,,,0,PENDING,,id-1\r\n',
    ],
    ['no external id', { externalId: null }, ',cat,0.75,4,LABELED,DAWID_SKENE,id-1\r\n'],
    ['a class list as JSON, quoted', { label: ['a', 'b'] }, 'e1,"[""a"",""b""]",0.75,4,LABELED,DAWID_SKENE,id-1\r\n'],
    ['a rating', { label: 3.5, method: 'MEDIAN' }, 'e1,3.5,0.75,4,LABELED,MEDIAN,id-1\r\n'],
    ['text with a comma', { label: 'New York, NY' }, 'e1,"New York, NY",0.75,4,LABELED,DAWID_SKENE,id-1\r\n'],
    [
      'a formula as free text, neutralised',
      { label: '=HYPERLINK("http://x","y")' },
      'e1,"\'=HYPERLINK(""http://x"",""y"")",0.75,4,LABELED,DAWID_SKENE,id-1\r\n',
    ],
    [
      'a formula as external id, neutralised',
      { externalId: '@SUM(A1)' },
      "'@SUM(A1),cat,0.75,4,LABELED,DAWID_SKENE,id-1\r\n",
    ],
    ['a negative number as text, kept', { label: '-3' }, 'e1,-3,0.75,4,LABELED,DAWID_SKENE,id-1\r\n'],
  ])('csvLine: %s', (_name, patch, expected) => {
    expect(csvLine({ ...row, ...patch })).toBe(expected);
  });

  it.each<[string, string]>([
    ['=1+1', "'=1+1"],
    ['+cmd|/C calc', "'+cmd|/C calc"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['-3.5', '-3.5'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('spreadsheetSafe(%p) = %p', (value, expected) => {
    expect(spreadsheetSafe(value)).toBe(expected);
  });

  it('starts CSV with the contract columns, itemId last', () => {
    expect(csvHeader()).toBe('externalId,label,confidence,answers,status,method,itemId\r\n');
  });

  it('writes one JSON object per line with every column, null for missing values', () => {
    const line = jsonLine({ ...row, label: null, confidence: null });
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      externalId: 'e1',
      label: null,
      confidence: null,
      answers: 4,
      status: 'LABELED',
      method: 'DAWID_SKENE',
      itemId: 'id-1',
    });
  });
});
