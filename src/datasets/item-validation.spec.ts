import {
  canonicalLabel,
  checkItem,
  checkItemLine,
  itemJson,
  labelProblem,
  type LabelSchemaShape,
} from './item-validation';

const SINGLE: LabelSchemaShape = { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog', 'bird'] };
const MULTI: LabelSchemaShape = { kind: 'MULTI_CHOICE', classes: ['red', 'green', 'blue'] };
const TEXT: LabelSchemaShape = { kind: 'FREE_TEXT' };
const RATING: LabelSchemaShape = { kind: 'RATING', min: 1, max: 5 };

describe('labelProblem', () => {
  it.each<[string, LabelSchemaShape, unknown, boolean]>([
    ['single: a class', SINGLE, 'dog', true],
    ['single: unknown class', SINGLE, 'cow', false],
    ['single: class case matters', SINGLE, 'Dog', false],
    ['single: array', SINGLE, ['dog'], false],
    ['single: number', SINGLE, 1, false],
    ['multi: one class', MULTI, ['red'], true],
    ['multi: several classes', MULTI, ['blue', 'red'], true],
    ['multi: empty set', MULTI, [], true],
    ['multi: unknown class', MULTI, ['red', 'pink'], false],
    ['multi: repeated class', MULTI, ['red', 'red'], false],
    ['multi: bare string', MULTI, 'red', false],
    ['multi: non-string member', MULTI, ['red', 1], false],
    ['text: any text', TEXT, 'New York', true],
    ['text: blank', TEXT, '   ', false],
    ['text: empty', TEXT, '', false],
    ['text: too long', TEXT, 'x'.repeat(10_001), false],
    ['text: number', TEXT, 3, false],
    ['rating: inside', RATING, 3.5, true],
    ['rating: lower bound', RATING, 1, true],
    ['rating: upper bound', RATING, 5, true],
    ['rating: below', RATING, 0.99, false],
    ['rating: above', RATING, 5.01, false],
    ['rating: numeric string', RATING, '3', false],
    ['rating: null', RATING, null, false],
  ])('%s', (_name, schema, label, valid) => {
    expect(labelProblem(schema, label) === null).toBe(valid);
  });

  it('never echoes the value in its message', () => {
    expect(labelProblem(SINGLE, 'secret-zebra')).not.toContain('secret-zebra');
    expect(labelProblem(MULTI, ['secret-zebra'])).not.toContain('secret-zebra');
    expect(labelProblem(RATING, 77)).not.toContain('77');
  });
});

describe('canonicalLabel', () => {
  it('orders a MULTI_CHOICE set like the schema classes and leaves other kinds alone', () => {
    expect(canonicalLabel(MULTI, ['blue', 'red'])).toEqual(['red', 'blue']);
    expect(canonicalLabel(SINGLE, 'dog')).toBe('dog');
    expect(canonicalLabel(RATING, 2)).toBe(2);
  });
});

describe('checkItem', () => {
  it.each<[string, LabelSchemaShape, unknown, string | null]>([
    ['payload only', SINGLE, { payload: { text: 'hi' } }, null],
    ['with external id', SINGLE, { externalId: 'a-1', payload: { text: 'hi' } }, null],
    ['empty payload object', SINGLE, { payload: {} }, null],
    ['null gold label is a regular item', SINGLE, { payload: { a: 1 }, goldLabel: null }, null],
    ['single gold', SINGLE, { payload: { a: 1 }, goldLabel: 'cat' }, null],
    ['multi gold', MULTI, { payload: { a: 1 }, goldLabel: ['green'] }, null],
    ['text gold', TEXT, { payload: { a: 1 }, goldLabel: 'Paris' }, null],
    ['rating gold', RATING, { payload: { a: 1 }, goldLabel: 4 }, null],
    ['not an object', SINGLE, [1, 2], 'INVALID_ITEM'],
    ['a string', SINGLE, 'x', 'INVALID_ITEM'],
    ['null', SINGLE, null, 'INVALID_ITEM'],
    ['unknown field', SINGLE, { payload: {}, gold_label: 'cat' }, 'INVALID_ITEM'],
    ['missing payload', SINGLE, { externalId: 'x' }, 'INVALID_PAYLOAD'],
    ['null payload', SINGLE, { payload: null }, 'INVALID_PAYLOAD'],
    ['payload is a string', SINGLE, { payload: 'text' }, 'INVALID_PAYLOAD'],
    ['payload is an array', SINGLE, { payload: [1] }, 'INVALID_PAYLOAD'],
    ['external id is a number', SINGLE, { externalId: 7, payload: {} }, 'INVALID_EXTERNAL_ID'],
    ['external id is empty', SINGLE, { externalId: '', payload: {} }, 'INVALID_EXTERNAL_ID'],
    ['external id too long', SINGLE, { externalId: 'x'.repeat(257), payload: {} }, 'INVALID_EXTERNAL_ID'],
    ['external id at the limit', SINGLE, { externalId: 'x'.repeat(256), payload: {} }, null],
    ['single gold not a class', SINGLE, { payload: {}, goldLabel: 'cow' }, 'INVALID_LABEL'],
    ['multi gold as a string', MULTI, { payload: {}, goldLabel: 'red' }, 'INVALID_LABEL'],
    ['multi gold repeated', MULTI, { payload: {}, goldLabel: ['red', 'red'] }, 'INVALID_LABEL'],
    ['text gold blank', TEXT, { payload: {}, goldLabel: ' ' }, 'INVALID_LABEL'],
    ['rating gold out of range', RATING, { payload: {}, goldLabel: 6 }, 'INVALID_LABEL'],
    ['rating gold as text', RATING, { payload: {}, goldLabel: '4' }, 'INVALID_LABEL'],
  ])('%s', (_name, schema, raw, expectedCode) => {
    const result = checkItem(schema, raw);
    if (expectedCode === null) expect(result.ok).toBe(true);
    else expect(result).toEqual({ ok: false, code: expectedCode, message: expect.any(String) });
  });

  it('returns the canonical gold label and a null external id when absent', () => {
    expect(checkItem(MULTI, { payload: { q: 1 }, goldLabel: ['blue', 'red'] })).toEqual({
      ok: true,
      item: { externalId: null, payload: { q: 1 }, goldLabel: ['red', 'blue'], source: null },
    });
  });

  it.each<[string, unknown, string]>([
    ['NUL in a payload value', { payload: { t: 'a\u0000b' } }, 'INVALID_PAYLOAD'],
    ['NUL in a payload key', { payload: { 'a\u0000': 1 } }, 'INVALID_PAYLOAD'],
    ['lone high surrogate deep inside', { payload: { a: [{ b: 'x\ud800' }] } }, 'INVALID_PAYLOAD'],
    ['lone low surrogate', { payload: { a: '\udc00y' } }, 'INVALID_PAYLOAD'],
    ['nesting deeper than 32', { payload: JSON.parse('{"a":'.repeat(33) + '1' + '}'.repeat(33)) }, 'INVALID_PAYLOAD'],
    ['NUL in the external id', { externalId: 'a\u0000', payload: {} }, 'INVALID_EXTERNAL_ID'],
    ['NUL in a free-text gold label', { payload: {}, goldLabel: 'Par\u0000is' }, 'INVALID_LABEL'],
  ])('refuses what PostgreSQL cannot store: %s', (_name, raw, code) => {
    const schema = code === 'INVALID_LABEL' ? TEXT : SINGLE;
    expect(checkItem(schema, raw)).toEqual({ ok: false, code, message: expect.any(String) });
  });

  it.each<[string, unknown]>([
    ['paired surrogates (emoji)', { payload: { t: 'hi 😀' } }],
    ['nesting of 32 levels', { payload: JSON.parse('{"a":'.repeat(32) + '1' + '}'.repeat(32)) }],
  ])('accepts %s', (_name, raw) => {
    expect(checkItem(SINGLE, raw).ok).toBe(true);
  });
});

describe('itemJson', () => {
  it('stores a canonical line verbatim and re-serialises a reordered MULTI_CHOICE gold label', () => {
    const line = '{"externalId":"x","payload":{"a":1},"goldLabel":["red","blue"]}';
    const single = checkItemLine(MULTI, line);
    expect(single.ok && itemJson(single.item)).toBe(line);
    const reordered = checkItemLine(MULTI, '{"payload":{"a":1},"goldLabel":["blue","red"]}');
    expect(reordered.ok && JSON.parse(itemJson(reordered.item))).toEqual({
      externalId: null,
      payload: { a: 1 },
      goldLabel: ['red', 'blue'],
    });
    const plain = checkItem(SINGLE, { payload: { a: 1 } });
    expect(plain.ok && JSON.parse(itemJson(plain.item))).toEqual({
      externalId: null,
      payload: { a: 1 },
      goldLabel: null,
    });
  });
});

describe('checkItemLine', () => {
  it.each([
    ['{"payload":{"a":1}}', null],
    ['{"payload":{"a":1}', 'INVALID_JSON'],
    ['not json at all', 'INVALID_JSON'],
    ['"just a string"', 'INVALID_ITEM'],
    ['{"payload":{"a":1},"goldLabel":"secret-gold"}', 'INVALID_LABEL'],
  ])('%s', (line, expectedCode) => {
    const result = checkItemLine(SINGLE, line);
    expect(result.ok ? null : result.code).toBe(expectedCode);
    if (!result.ok) expect(result.message).not.toContain('secret-gold');
  });
});
