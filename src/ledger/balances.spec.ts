import { balancesFrom } from './balances';

const now = new Date('2026-11-28T12:00:00Z');
const at = (offsetSeconds: number): Date => new Date(now.getTime() + offsetSeconds * 1000);

describe('balancesFrom', () => {
  it.each([
    ['nothing', [], [], { pending: 0n, available: 0n, inFlight: 0n, paid: 0n }],
    ['splits held and matured earnings', [{ amount: 5n, availableAt: at(60) }, { amount: 7n, availableAt: at(0) }, { amount: 1n, availableAt: at(-60) }], [], { pending: 5n, available: 8n, inFlight: 0n, paid: 0n }],
    ['nets reversals', [{ amount: 5n, availableAt: at(-1) }, { amount: -2n, availableAt: at(-1) }], [], { pending: 0n, available: 3n, inFlight: 0n, paid: 0n }],
    [
      'shows batches by status and ignores failed ones',
      [],
      [{ status: 'PENDING', amount: 1n }, { status: 'SUBMITTED', amount: 2n }, { status: 'CONFIRMED', amount: 4n }, { status: 'FAILED', amount: 8n }],
      { pending: 0n, available: 0n, inFlight: 3n, paid: 4n },
    ],
  ])('%s', (_name, unsettled, batches, expected) => {
    expect(balancesFrom({ unsettled, batches, now })).toEqual(expected);
  });
});
