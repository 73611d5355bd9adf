// Per-process cache of the account fields the auth guard needs, so that a labeler's requests do
// not each read the account. Pure: time comes in through `now` (milliseconds, monotonic).
//
// Freshness argument (docs/contributing.md, "Principal cache"): an entry lives `ttlMs` from the
// moment its read was SENT, so it never outlives a change committed more than `ttlMs` after that
// moment. Every change to roles or blocks (AccountsService) waits `ttlMs` after its commit before
// it returns; by then no replica holds an entry older than the change. A block is therefore in
// force on every replica once setAccountBlocked has answered.

export class PrincipalCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(private readonly params: { ttlMs: number; now: () => number; maxEntries?: number }) {}

  get ttlMs(): number {
    return this.params.ttlMs;
  }

  get(id: string): T | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.params.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.value;
  }

  /** `readSentAt`: `now()` taken just before the read that produced `value` was sent. */
  set(id: string, value: T, readSentAt: number): void {
    if (this.params.ttlMs <= 0) return;
    if (this.entries.size >= (this.params.maxEntries ?? 100_000)) this.evictExpired();
    this.entries.set(id, { value, expiresAt: readSentAt + this.params.ttlMs });
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  private evictExpired(): void {
    const now = this.params.now();
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
    // Still full of live entries (more distinct accounts per second than the bound): start over.
    if (this.entries.size >= (this.params.maxEntries ?? 100_000)) this.entries.clear();
  }
}
