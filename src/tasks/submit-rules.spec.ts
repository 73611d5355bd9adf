import { submitPath, type AssignmentState } from './submit-rules';

const now = new Date('2026-11-28T12:00:00Z');
const later = new Date('2026-11-28T12:10:00Z');
const earlier = new Date('2026-11-28T11:59:59Z');

describe('submitPath', () => {
  it.each<[string, AssignmentState, Date, string | null, string | null, string]>([
    ['a live lease is scored', 'ACTIVE', later, null, 'h1', 'score'],
    [
      'a live lease with invalid answers still goes to scoring (which refuses them)',
      'ACTIVE',
      later,
      null,
      null,
      'score',
    ],
    ['a lease past its expiry is expired even before the reaper runs', 'ACTIVE', earlier, null, 'h1', 'expire'],
    ['a lease expiring this very instant is expired', 'ACTIVE', now, null, 'h1', 'expire'],
    ['the same answers on an accepted assignment replay', 'ACCEPTED', earlier, 'h1', 'h1', 'replay'],
    ['the same answers on a rejected assignment replay', 'REJECTED', later, 'h1', 'h1', 'replay'],
    ['the same answers on a submitted assignment replay', 'SUBMITTED', later, 'h1', 'h1', 'replay'],
    ['different answers on an accepted assignment conflict', 'ACCEPTED', later, 'h1', 'h2', 'CONFLICT'],
    ['invalid answers on an accepted assignment conflict', 'ACCEPTED', later, 'h1', null, 'CONFLICT'],
    ['an expired assignment', 'EXPIRED', later, null, 'h1', 'LEASE_EXPIRED'],
    ['a released assignment', 'RELEASED', later, null, 'h1', 'ASSIGNMENT_NOT_ACTIVE'],
  ])('%s', (_name, status, expiresAt, storedHash, hash, expected) => {
    const path = submitPath({ status, expiresAt, now, storedHash, hash });
    expect(path.kind === 'refuse' ? path.code : path.kind).toBe(expected);
  });
});
