import { BoundedCache } from '../common/bounded-cache';

// Per-process memory of bearer tokens whose signature already verified, so that a labeler's
// every request does not redo the HMAC and the JSON decoding of the same token (about 5 % of
// the api's CPU on the claim → submit path). Pure: time comes in through `nowMs`.
//
// Why this is safe: with one secret, whether a token's signature verifies depends only on the
// token's bytes, which are the key here; what depends on time (exp, nbf) is checked again on
// every hit exactly as jsonwebtoken checks it (whole seconds of Date.now, no tolerance). Who the
// token names is looked up on every request as before, so blocks and role changes still apply.
// Beyond `maxEntries` the oldest token is forgotten (constant time, whatever the churn of
// distinct tokens): a forgotten token only costs one verification more.

export interface VerifiedClaims {
  sub?: unknown;
  exp?: unknown;
  nbf?: unknown;
}

export class VerifiedTokenCache {
  private readonly entries: BoundedCache<string, VerifiedClaims>;

  constructor(maxEntries = 50_000) {
    this.entries = new BoundedCache(maxEntries);
  }

  /** The payload of a token seen verified before, if it is still inside its time window. */
  get(token: string, nowMs: number): VerifiedClaims | undefined {
    const payload = this.entries.get(token);
    return payload !== undefined && inWindow(payload, nowMs) ? payload : undefined;
  }

  /** Only for a token whose signature and claims were just verified. */
  remember(token: string, payload: VerifiedClaims): void {
    this.entries.set(token, payload);
  }

  get size(): number {
    return this.entries.size;
  }
}

// jsonwebtoken's checks: expired when now >= exp, not yet valid when nbf > now (seconds).
function inWindow(payload: VerifiedClaims, nowMs: number): boolean {
  const now = Math.floor(nowMs / 1000);
  if (payload.exp !== undefined && !(typeof payload.exp === 'number' && now < payload.exp)) return false;
  if (payload.nbf !== undefined && !(typeof payload.nbf === 'number' && payload.nbf <= now)) return false;
  return true;
}
