// Per-process memory of bearer tokens whose signature already verified, so that a labeler's
// every request does not redo the HMAC and the JSON decoding of the same token (about 5 % of
// the api's CPU on the claim → submit path). Pure: time comes in through `nowMs`.
//
// Why this is safe: with one secret, whether a token's signature verifies depends only on the
// token's bytes, which are the key here; what depends on time (exp, nbf) is checked again on
// every hit exactly as jsonwebtoken checks it (whole seconds of Date.now, no tolerance). Who the
// token names is looked up on every request as before, so blocks and role changes still apply.

export interface VerifiedClaims {
  sub?: unknown;
  exp?: unknown;
  nbf?: unknown;
}

export class VerifiedTokenCache<T extends VerifiedClaims> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly maxEntries = 50_000) {}

  /** The payload of a token seen verified before, if it is still inside its time window. */
  get(token: string, nowMs: number): T | undefined {
    const payload = this.entries.get(token);
    if (payload === undefined) return undefined;
    if (!inWindow(payload, nowMs)) {
      this.entries.delete(token);
      return undefined;
    }
    return payload;
  }

  /** Only for a token whose signature and claims were just verified. */
  remember(token: string, payload: T, nowMs: number): void {
    if (this.entries.size >= this.maxEntries) this.evict(nowMs);
    this.entries.set(token, payload);
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(nowMs: number): void {
    for (const [token, payload] of this.entries) if (!inWindow(payload, nowMs)) this.entries.delete(token);
    // Still full of live tokens (more distinct callers than the bound): start over; a miss only
    // costs one verification.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
  }
}

// jsonwebtoken's checks: expired when now >= exp, not yet valid when nbf > now (seconds).
function inWindow(payload: VerifiedClaims, nowMs: number): boolean {
  const now = Math.floor(nowMs / 1000);
  if (payload.exp !== undefined && !(typeof payload.exp === 'number' && now < payload.exp)) return false;
  if (payload.nbf !== undefined && !(typeof payload.nbf === 'number' && payload.nbf <= now)) return false;
  return true;
}
