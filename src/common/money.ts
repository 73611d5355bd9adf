// Token amounts: bigint base units inside, decimal strings in whole-token units outside.
// No floating point touches money anywhere. The scale is always the token's own `decimals()`
// (read from the chain at boot: RuntimeConfig.tokenDecimals); nothing here assumes 18.

/** The scale used when the service runs without any chain (tests of non-chain features only). */
export const NO_CHAIN_DECIMALS = 18;

// numeric(78,0) holds 78 digits; a token with more decimals could not show one whole token.
const MAX_DECIMALS = 77;
const DECIMAL = /^(\d{1,78})(?:\.(\d+))?$/;

export function assertTokenDecimals(decimals: number): number {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS)
    throw new RangeError(`token decimals must be a whole number from 0 to ${MAX_DECIMALS}, got ${decimals}`);
  return decimals;
}

/** "1.25" → base units at `decimals`; RangeError for anything that is not exactly representable. */
export function parseTokenAmount(text: string, decimals: number): bigint {
  assertTokenDecimals(decimals);
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new RangeError(`"${text}" is not a non-negative decimal token amount`);
  const [, whole, fraction = ''] = match;
  // Trailing zeros carry no value: "1.500000" is fine for a 2-decimal token.
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > decimals)
    throw new RangeError(
      `"${text}" has more than ${decimals} decimal place${decimals === 1 ? '' : 's'} (the token's decimals)`,
    );
  const units = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(significant.padEnd(decimals, '0') || '0');
  if (units.toString().length > 78) throw new RangeError(`"${text}" is too large`);
  return units;
}

export function formatTokenAmount(units: bigint, decimals: number): string {
  assertTokenDecimals(decimals);
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  const fraction = decimals === 0 ? '' : (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

// numeric(78,0) columns come back from pg as strings; this is the one conversion point.
export const bigintColumn = {
  to: (value: bigint | null | undefined): string | null | undefined =>
    value === null || value === undefined ? value : value.toString(),
  from: (value: string | null): bigint | null => (value === null ? null : BigInt(value)),
};
