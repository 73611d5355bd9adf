import { PrincipalCache } from './principal-cache';

describe(PrincipalCache.name, () => {
  const clockAt = (start: number): { now: () => number; advance: (ms: number) => void } => {
    let t = start;
    return { now: () => t, advance: (ms) => void (t += ms) };
  };

  it('serves an entry until ttl after its read was sent, then forgets it', () => {
    const clock = clockAt(1000);
    const cache = new PrincipalCache<string>({ ttlMs: 100, now: clock.now });
    const sentAt = clock.now();
    clock.advance(30); // the read took 30 ms
    cache.set('a', 'alice', sentAt);
    clock.advance(69);
    expect(cache.get('a')).toBe('alice');
    clock.advance(1); // 100 ms after the read was sent, not after it answered
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps nothing when the ttl is 0', () => {
    const clock = clockAt(0);
    const cache = new PrincipalCache<string>({ ttlMs: 0, now: clock.now });
    cache.set('a', 'alice', clock.now());
    expect(cache.get('a')).toBeUndefined();
  });

  it('forgets a deleted entry at once', () => {
    const clock = clockAt(0);
    const cache = new PrincipalCache<string>({ ttlMs: 100, now: clock.now });
    cache.set('a', 'alice', clock.now());
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
  });

  it('stays within maxEntries: expired entries go first, then everything', () => {
    const clock = clockAt(0);
    const cache = new PrincipalCache<number>({ ttlMs: 100, now: clock.now, maxEntries: 3 });
    cache.set('old', 0, clock.now());
    clock.advance(60);
    cache.set('b', 1, clock.now());
    cache.set('c', 2, clock.now());
    clock.advance(50); // 'old' has expired, 'b' and 'c' have not
    cache.set('d', 3, clock.now());
    expect([cache.size, cache.get('b'), cache.get('d')]).toEqual([3, 1, 3]);
    cache.set('e', 4, clock.now()); // full of live entries
    expect([cache.size, cache.get('e'), cache.get('b')]).toEqual([1, 4, undefined]);
  });
});
