// Token amounts: bigint base units inside, decimal strings in whole-token units outside.
// No floating point touches money anywhere.

export const TOKEN_DECIMALS = 18;

const DECIMAL = /^(\d{1,60})(?:\.(\d+))?$/;

export function parseTokenAmount(text: string, decimals = TOKEN_DECIMALS): bigint {
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new RangeError(`"${text}" is not a non-negative decimal token amount`);
  const [, whole, fraction = ''] = match;
  if (fraction.length > decimals) throw new RangeError(`"${text}" has more than ${decimals} decimal places`);
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

export function formatTokenAmount(units: bigint, decimals = TOKEN_DECIMALS): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  const fraction = (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

// numeric(78,0) columns come back from pg as strings; this is the one conversion point.
export const bigintColumn = {
  to: (value: bigint | null | undefined): string | null | undefined => (value === null || value === undefined ? value : value.toString()),
  from: (value: string | null): bigint | null => (value === null ? null : BigInt(value)),
};
