// Classifies what a node answers to eth_sendRawTransaction. Node wording differs (geth,
// Hardhat, Anvil, providers), so both ethers' error code and the message are looked at.

export type BroadcastOutcome = 'accepted' | 'already-known' | 'nonce-used' | 'underpriced' | 'unreachable' | 'rejected';

const KNOWN = /already known|known transaction|already imported|alreadyknown|transaction already exists/i;
const NONCE_USED = /nonce too low|nonce has already been used|nonce is too low|nonce_expired|already been mined/i;
const UNDERPRICED = /underpriced|fee too low|replacement fee/i;

function textOf(error: unknown, depth = 0): string {
  if (error === null || typeof error !== 'object' || depth > 4) return String(error ?? '');
  const e = error as { message?: unknown; shortMessage?: unknown; error?: unknown; info?: { error?: unknown } };
  return [e.shortMessage, e.message, textOf(e.error, depth + 1), textOf(e.info?.error, depth + 1)]
    .filter((x) => typeof x === 'string' && x)
    .join(' | ');
}

export function classifyBroadcastError(error: unknown): BroadcastOutcome {
  const code = (error as { code?: unknown } | null)?.code;
  const text = textOf(error);
  if (KNOWN.test(text)) return 'already-known';
  if (code === 'NONCE_EXPIRED' || NONCE_USED.test(text)) return 'nonce-used';
  if (code === 'REPLACEMENT_UNDERPRICED' || UNDERPRICED.test(text)) return 'underpriced';
  if (isUnreachable(error)) return 'unreachable';
  return 'rejected';
}

/** Network-level failure (connection refused, timeout, 5xx): worth retrying later. */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'TIMEOUT' || code === 'NETWORK_ERROR' || code === 'SERVER_ERROR') return true;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|socket hang up|fetch failed|timeout/i.test(textOf(error));
}

/** A short, secret-free description for logs and the batch's last_error column. */
export function describeError(error: unknown): string {
  return textOf(error)
    .replace(/0x[0-9a-fA-F]{200,}/g, '0x…')
    .slice(0, 480);
}
