import { VerifiedTokenCache } from './verified-token-cache';

describe('VerifiedTokenCache', () => {
  const at = (seconds: number): number => seconds * 1000;

  it('answers a remembered token until the second of its exp, then forgets it', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('t', { sub: 'a', exp: 100 }, at(50));
    expect(cache.get('t', at(99) + 999)).toEqual({ sub: 'a', exp: 100 });
    expect(cache.get('t', at(100))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('answers nothing before nbf and nothing for a token it never saw verified', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('t', { sub: 'a', nbf: 60, exp: 100 }, at(61));
    expect(cache.get('t', at(59))).toBeUndefined();
    expect(cache.get('t2', at(61))).toBeUndefined();
  });

  it('treats a time claim that is not a number as outside the window', () => {
    const cache = new VerifiedTokenCache();
    cache.remember('t', { sub: 'a', exp: '100' }, at(1));
    expect(cache.get('t', at(2))).toBeUndefined();
  });

  it('stays within its bound: expired tokens go first, then everything', () => {
    const cache = new VerifiedTokenCache(2);
    cache.remember('old', { exp: 10 }, at(1));
    cache.remember('live', { exp: 100 }, at(1));
    cache.remember('new', { exp: 100 }, at(20));
    expect(cache.size).toBe(2);
    expect(cache.get('live', at(20))).toBeDefined();
    cache.remember('newer', { exp: 100 }, at(20));
    expect(cache.size).toBe(1);
    expect(cache.get('newer', at(20))).toBeDefined();
  });
});
