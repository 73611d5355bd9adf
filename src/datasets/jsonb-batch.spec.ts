import { jsonbArray, JsonbBatch, sliceRows, type PackedRows } from './jsonb-batch';

const text = ({ param }: PackedRows): string => {
  expect(param[0]).toBe(1);
  return param.subarray(1).toString('utf8');
};

describe('JsonbBatch', () => {
  it.each<[string, (Buffer | string)[], string]>([
    ['no rows', [], '[]'],
    ['one row', ['{"a":1}'], '[{"a":1}]'],
    ['strings and buffers mixed', ['{"a":1}', Buffer.from('{"b":"é"}'), '{"c":"✓"}'], '[{"a":1},{"b":"é"},{"c":"✓"}]'],
  ])('%s', (_name, rows, expected) => {
    const batch = new JsonbBatch(16);
    for (const r of rows) batch.add(r);
    expect(batch.rows).toBe(rows.length);
    const packed = batch.take();
    expect(text(packed)).toBe(expected);
    expect(JSON.parse(text(packed))).toHaveLength(rows.length);
    expect(packed.starts).toHaveLength(rows.length);
  });

  it('grows past its initial size and starts empty after take()', () => {
    const batch = new JsonbBatch(16);
    const row = JSON.stringify({ payload: { t: 'x'.repeat(100) } });
    for (let i = 0; i < 50; i++) batch.add(row);
    expect(batch.bytes).toBe(50 * row.length + 49);
    expect(JSON.parse(text(batch.take()))).toHaveLength(50);
    expect(batch.rows).toBe(0);
    batch.add('{"n":2}');
    expect(text(batch.take())).toBe('[{"n":2}]');
  });

  it('hands out a copy, so refilling the batch does not change a parameter in flight', () => {
    const batch = new JsonbBatch();
    batch.add('{"n":1}');
    const first = batch.take();
    batch.add('{"n":2}');
    batch.take();
    expect(text(first)).toBe('[{"n":1}]');
  });

  it('packs rows in one call', () => {
    expect(text(jsonbArray(['{"a":1}', '{"b":2}']))).toBe('[{"a":1},{"b":2}]');
  });

  it.each<[number, number, string]>([
    [0, 3, '[{"a":1},{"b":"é"},{"c":[1,2]}]'],
    [0, 1, '[{"a":1}]'],
    [1, 2, '[{"b":"é"}]'],
    [2, 3, '[{"c":[1,2]}]'],
    [1, 3, '[{"b":"é"},{"c":[1,2]}]'],
    [1, 1, '[]'],
  ])('slices rows %i to %i out of a taken batch', (from, to, expected) => {
    const packed = jsonbArray(['{"a":1}', '{"b":"é"}', '{"c":[1,2]}']);
    const slice = sliceRows(packed, from, to);
    expect(text(slice)).toBe(expected);
    expect(text(sliceRows(slice, 0, to - from))).toBe(expected);
  });
});
