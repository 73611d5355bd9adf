import { nothingMoreOwed, refundableAmount, type OwedFacts } from './refund-rules';

const now = new Date('2026-11-28T12:00:00Z');
const settledFacts: OwedFacts = {
  status: 'COMPLETED',
  activeAssignments: 0,
  submittedAssignments: 0,
  appeal: null,
  openDisputes: 0,
  disputeReserve: 0n,
  now,
};

describe('nothingMoreOwed', () => {
  it.each([
    ['a completed dataset with nothing in flight', {}, true],
    ['a cancelled one', { status: 'CANCELLED' }, true],
    ['an OPEN one', { status: 'OPEN' }, false],
    ['a PAUSED one', { status: 'PAUSED' }, false],
    ['a DRAFT one', { status: 'DRAFT' }, false],
    ['a lease still in progress', { activeAssignments: 1 }, false],
    ['work waiting for its verdict', { status: 'CANCELLED', submittedAssignments: 2 }, false],
    [
      'an appeal window still open',
      { appeal: { lastVerdictAt: new Date(now.getTime() - 59_000), windowSeconds: 60 } },
      false,
    ],
    [
      'an appeal window just over',
      { appeal: { lastVerdictAt: new Date(now.getTime() - 60_000), windowSeconds: 60 } },
      true,
    ],
    ['an appeal window with no verdict yet', { appeal: { lastVerdictAt: null, windowSeconds: 604800 } }, true],
    ['a dispute still open', { openDisputes: 1 }, false],
    ['the dispute reserve not yet released', { disputeReserve: 1n }, false],
  ] as [string, Partial<OwedFacts>, boolean][])('%s → settled %s', (_name, facts, settled) => {
    const decision = nothingMoreOwed({ ...settledFacts, ...facts });
    expect(decision.settled).toBe(settled);
    if (!decision.settled) expect(decision.reason.length).toBeGreaterThan(0);
  });
});

describe('refundableAmount', () => {
  const funds = { budget: 100n, spent: 30n, committed: 0n, refunded: 0n, deposited: 100n };
  it.each([
    ['the unspent budget', {}, 70n],
    ['less what was refunded before', { refunded: 70n }, 0n],
    ['a late deposit after a refund', { budget: 110n, deposited: 110n, refunded: 70n }, 10n],
    ['never more than deposits brought (admin credits stay off-chain)', { budget: 150n, deposited: 100n }, 100n],
    ['credits spent first', { budget: 150n, spent: 80n, deposited: 100n }, 70n],
    ['only credits: nothing on chain to send back', { deposited: 0n }, 0n],
    ['never negative after a deposit left the chain', { budget: 60n, deposited: 60n, refunded: 70n }, 0n],
  ] as [string, Partial<typeof funds>, bigint][])('%s', (_name, overrides, expected) => {
    expect(refundableAmount({ settled: true }, { ...funds, ...overrides })).toBe(expected);
  });

  it('is 0 while anything may still be owed', () => {
    expect(refundableAmount({ settled: false, reason: 'x' }, funds)).toBe(0n);
  });
});
