import { formatTokenAmount, parseTokenAmount } from './money';

describe('token amounts', () => {
  it.each([
    ['1', 18, 10n ** 18n],
    ['1.25', 18, 125n * 10n ** 16n],
    ['0.000000000000000001', 18, 1n],
    ['0', 18, 0n],
    ['123456789012345678901234567890', 18, 123456789012345678901234567890n * 10n ** 18n],
    ['1', 6, 1_000_000n],
    ['0.05', 6, 50_000n],
    ['0.000001', 6, 1n],
    ['2.500000', 6, 2_500_000n],
    ['1.5000000000', 6, 1_500_000n],
    ['7', 0, 7n],
    ['7.0', 0, 7n],
    ['0.1', 1, 1n],
  ])('parses %s at %i decimals', (text, decimals, units) => {
    expect(parseTokenAmount(text, decimals)).toBe(units);
    expect(parseTokenAmount(formatTokenAmount(units, decimals), decimals)).toBe(units);
  });

  it.each([
    ['1.2 at 18', 12n * 10n ** 17n, 18, '1.2'],
    ['-3 at 18', -3n * 10n ** 18n, 18, '-3'],
    ['one base unit at 18', 1n, 18, '0.000000000000000001'],
    ['one base unit at 6', 1n, 6, '0.000001'],
    ['1.5 at 6', 1_500_000n, 6, '1.5'],
    ['the same units at 18 read 10^12 times smaller', 1_500_000n, 18, '0.0000000000015'],
    ['whole-only token', 42n, 0, '42'],
  ])('formats %s', (_name, units, decimals, text) => {
    expect(formatTokenAmount(units, decimals)).toBe(text);
  });

  it.each([
    ['-1', 18],
    ['1e3', 18],
    ['0x10', 18],
    ['1.0000000000000000001', 18],
    ['0.0000001', 6],
    ['0.5', 0],
    ['', 18],
    ['abc', 18],
    ['1,5', 18],
    ['1'.repeat(79), 0],
  ])('refuses %p at %i decimals', (text, decimals) => {
    expect(() => parseTokenAmount(text, decimals)).toThrow(RangeError);
  });

  it.each([-1, 1.5, 78])('refuses %p decimals', (decimals) => {
    expect(() => parseTokenAmount('1', decimals)).toThrow(RangeError);
    expect(() => formatTokenAmount(1n, decimals)).toThrow(RangeError);
  });
});
