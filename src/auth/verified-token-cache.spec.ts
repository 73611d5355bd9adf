import { VerifiedTokenCache } from './verified-token-cache';

describe('VerifiedTokenCache', () => {
  const at = (seconds: number): number => seconds * 1000;

  it('answers a remembered token until the second of its exp, then not', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('t', { sub: 'a', exp: 100 });
    expect(cache.get('t', at(99) + 999)).toEqual({ sub: 'a', exp: 100 });
    expect(cache.get('t', at(100))).toBeUndefined();
    expect(cache.get('t', at(101))).toBeUndefined();
  });

  it('answers nothing before nbf and nothing for a token it never saw verified', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('t', { sub: 'a', nbf: 60, exp: 100 });
    expect(cache.get('t', at(59))).toBeUndefined();
    expect(cache.get('t', at(60))).toBeDefined();
    expect(cache.get('t2', at(61))).toBeUndefined();
  });

  it('treats a time claim that is not a number as outside the window', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('t', { sub: 'a', exp: '100' });
    cache.remember('u', { sub: 'a', nbf: null });
    expect(cache.get('t', at(2))).toBeUndefined();
    expect(cache.get('u', at(2))).toBeUndefined();
  });

  it('forgets the oldest token beyond its bound', () => {
    const cache = new VerifiedTokenCache(2);
    cache.remember('a', { exp: 100 });
    cache.remember('b', { exp: 100 });
    cache.remember('c', { exp: 100 });
    expect(cache.size).toBe(2);
    expect(cache.get('a', at(1))).toBeUndefined();
    expect(cache.get('b', at(1))).toBeDefined();
    expect(cache.get('c', at(1))).toBeDefined();
  });
});
