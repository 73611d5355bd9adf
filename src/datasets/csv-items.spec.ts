import { csvRowToItem, readCsvHeader, type CsvHeader } from './csv-items';
import type { LabelSchemaShape } from './item-validation';

const SINGLE: LabelSchemaShape = { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog'] };
const MULTI: LabelSchemaShape = { kind: 'MULTI_CHOICE', classes: ['red', 'green', 'blue'] };
const TEXT: LabelSchemaShape = { kind: 'FREE_TEXT' };
const RATING: LabelSchemaShape = { kind: 'RATING', min: 1, max: 5 };

function header(cells: string[]): CsvHeader {
  const result = readCsvHeader(cells);
  if (!result.ok) throw new Error(result.message);
  return result.header;
}

describe('readCsvHeader', () => {
  it('finds the special columns and keeps the rest as payload fields in order', () => {
    expect(header(['text', 'external_id', ' url ', 'gold_label'])).toEqual({
      externalId: 1,
      goldLabel: 3,
      payload: [
        { index: 0, name: 'text' },
        { index: 2, name: 'url' },
      ],
      width: 4,
    });
    expect(header(['text'])).toEqual({
      externalId: -1,
      goldLabel: -1,
      payload: [{ index: 0, name: 'text' }],
      width: 1,
    });
  });

  it.each([
    ['a blank column name', ['text', ' ']],
    ['a repeated column', ['text', 'text']],
    ['no payload column', ['external_id', 'gold_label']],
  ])('refuses %s', (_name, cells) => {
    expect(readCsvHeader(cells).ok).toBe(false);
  });
});

describe('csvRowToItem', () => {
  const full = header(['external_id', 'text', 'gold_label']);

  it.each<[string, LabelSchemaShape, string[], unknown]>([
    [
      'regular item',
      SINGLE,
      ['e1', 'hello', ''],
      { externalId: 'e1', payload: { text: 'hello' }, goldLabel: null, source: null },
    ],
    [
      'no external id',
      SINGLE,
      ['', 'hello', ''],
      { externalId: null, payload: { text: 'hello' }, goldLabel: null, source: null },
    ],
    [
      'single gold',
      SINGLE,
      ['e1', 'hello', 'dog'],
      { externalId: 'e1', payload: { text: 'hello' }, goldLabel: 'dog', source: null },
    ],
    [
      'free text gold kept verbatim',
      TEXT,
      ['e1', 'x', ' Paris '],
      { externalId: 'e1', payload: { text: 'x' }, goldLabel: ' Paris ', source: null },
    ],
    [
      'rating gold as a number',
      RATING,
      ['e1', 'x', ' 4.5 '],
      { externalId: 'e1', payload: { text: 'x' }, goldLabel: 4.5, source: null },
    ],
    [
      'multi gold with pipes, canonical order',
      MULTI,
      ['e1', 'x', 'blue|red'],
      { externalId: 'e1', payload: { text: 'x' }, goldLabel: ['red', 'blue'], source: null },
    ],
    [
      'multi gold as JSON',
      MULTI,
      ['e1', 'x', '["green"]'],
      { externalId: 'e1', payload: { text: 'x' }, goldLabel: ['green'], source: null },
    ],
    [
      'multi gold single class',
      MULTI,
      ['e1', 'x', 'green'],
      { externalId: 'e1', payload: { text: 'x' }, goldLabel: ['green'], source: null },
    ],
  ])('%s', (_name, schema, cells, item) => {
    expect(csvRowToItem(schema, full, cells)).toEqual({ ok: true, item });
  });

  it.each<[string, LabelSchemaShape, string[], string]>([
    ['single gold not a class', SINGLE, ['e1', 'x', 'cow'], 'INVALID_LABEL'],
    ['rating gold not a number', RATING, ['e1', 'x', 'four'], 'INVALID_LABEL'],
    ['rating gold out of range', RATING, ['e1', 'x', '9'], 'INVALID_LABEL'],
    ['multi gold broken JSON', MULTI, ['e1', 'x', '["red"'], 'INVALID_LABEL'],
    ['multi gold unknown class', MULTI, ['e1', 'x', 'red|pink'], 'INVALID_LABEL'],
    ['multi gold repeated class', MULTI, ['e1', 'x', 'red|red'], 'INVALID_LABEL'],
    ['external id too long', SINGLE, ['x'.repeat(257), 'x', ''], 'INVALID_EXTERNAL_ID'],
    ['too few cells', SINGLE, ['e1', 'x'], 'INVALID_CSV'],
  ])('rejects %s', (_name, schema, cells, code) => {
    expect(csvRowToItem(schema, full, cells)).toEqual({ ok: false, code, message: expect.any(String) });
  });
});
