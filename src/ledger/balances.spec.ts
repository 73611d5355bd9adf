import { balancesFrom } from './balances';

describe('balancesFrom', () => {
  it.each([
    [
      'nothing',
      { pending: 0n, available: 0n, inFlight: 0n, earned: 0n, total: 0n },
      { pending: 0n, available: 0n, inFlight: 0n, paid: 0n },
    ],
    // earned 13: 5 held + 8 matured, nothing batched: the ledger total is all 13.
    [
      'held and matured earnings, nothing batched',
      { pending: 5n, available: 8n, inFlight: 0n, earned: 13n, total: 13n },
      { pending: 5n, available: 8n, inFlight: 0n, paid: 0n },
    ],
    // earned 10: 3 in a live batch, 4 in confirmed ones (both debited), 3 left available.
    [
      'debits split into in flight and paid',
      { pending: 0n, available: 3n, inFlight: 3n, earned: 10n, total: 3n },
      { pending: 0n, available: 3n, inFlight: 3n, paid: 4n },
    ],
    // A released failed batch: its debit and its reversal cancel out, so it counts nowhere.
    [
      'a failed batch given back',
      { pending: 0n, available: 6n, inFlight: 0n, earned: 6n, total: 6n },
      { pending: 0n, available: 6n, inFlight: 0n, paid: 0n },
    ],
  ])('%s', (_name, input, expected) => {
    const balances = balancesFrom(input);
    expect(balances).toEqual(expected);
    expect(balances.pending + balances.available + balances.inFlight + balances.paid).toBe(input.earned);
  });
});
