import { answerCountDiffs, reconcile, type MoneyReadings } from './run-checks';

describe('the report checks', () => {
  it('splits count differences into lost and duplicated answers', () => {
    expect(
      answerCountDiffs([
        { product: 10, simulated: 10 },
        { product: 8, simulated: 11 },
        { product: 5, simulated: 4 },
      ]),
    ).toEqual({ lost: 3, duplicated: 1 });
  });

  const balanced: MoneyReadings = {
    received: 700n,
    ledgerPaid: 700n,
    vaultBefore: 50n,
    deposited: 1000n,
    vaultAfter: 50n,
    refundReceived: 300n,
    refundedOnChain: 300n,
    budget: 1000n,
    spent: 700n,
  };

  it('holds when chain, ledger and vault agree and the refund is the rest', () => {
    expect(reconcile(balanced)).toEqual({ vaultOutflow: 700n, budgetMinusSpent: 300n, holds: true });
  });

  it.each([
    ['a wallet got one unit more', { received: 701n }],
    ['the ledger paid one unit less', { ledgerPaid: 699n }],
    ['one unit stayed in the vault', { vaultAfter: 51n }],
    [
      'the refund missed a unit of the rest',
      { refundReceived: 299n, vaultAfter: 51n, refundedOnChain: 299n, spent: 700n },
    ],
    ['the vault says it refunded more', { refundedOnChain: 301n }],
  ])('fails to the base unit when %s', (_what, change) => {
    expect(reconcile({ ...balanced, ...change }).holds).toBe(false);
  });
});
