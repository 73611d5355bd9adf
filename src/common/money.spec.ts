import { formatTokenAmount, parseTokenAmount } from './money';

describe('token amounts', () => {
  it.each([
    ['1', 10n ** 18n],
    ['1.25', 125n * 10n ** 16n],
    ['0.000000000000000001', 1n],
    ['0', 0n],
    ['123456789012345678901234567890', 123456789012345678901234567890n * 10n ** 18n],
  ])('parses %s', (text, units) => {
    expect(parseTokenAmount(text)).toBe(units);
    expect(parseTokenAmount(formatTokenAmount(units))).toBe(units);
  });

  it.each([['1.2', 12n * 10n ** 17n, '1.2'], ['-3', -3n * 10n ** 18n, '-3'], ['small', 1n, '0.000000000000000001']])('formats %s', (_name, units, text) => {
    expect(formatTokenAmount(units)).toBe(text);
  });

  it.each(['-1', '1e3', '0x10', '1.0000000000000000001', '', 'abc', '1,5'])('refuses %p', (text) => {
    expect(() => parseTokenAmount(text)).toThrow(RangeError);
  });
});
