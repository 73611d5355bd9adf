import { csvField, formatConfidence } from './csv-io';

describe('csvField', () => {
  it.each<[string, string]>([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [' padded', '" padded"'],
  ])('%p -> %p', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('formatConfidence', () => {
  it.each<[number, string]>([
    [1, '1'],
    [0, '0'],
    [0.5, '0.5'],
    [2 / 3, '0.666667'],
    [0.9999996, '1'],
    [1e-9, '0'],
  ])('%p -> %p', (value, expected) => {
    expect(formatConfidence(value)).toBe(expected);
  });
});
