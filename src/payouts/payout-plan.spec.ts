import { planPayouts, type ClaimedEntry } from './payout-plan';

const e = (
  entryId: string,
  accountId: string,
  amount: bigint,
  assignmentId: string | null = `as-${entryId}`,
): ClaimedEntry => ({ entryId, accountId, kind: amount > 0n ? 'EARNING' : 'REVERSAL', amount, assignmentId });
const addresses = new Map([
  ['acc-1', '0x' + 'B'.repeat(40)],
  ['acc-2', '0x' + 'a'.repeat(40)],
]);

describe('planPayouts', () => {
  it.each<[string, ClaimedEntry[], bigint, { address: string; amount: bigint; entryIds: string[] }[], string[]]>([
    [
      'sums one account',
      [e('1', 'acc-1', 5n), e('2', 'acc-1', 7n)],
      1n,
      [{ address: '0x' + 'b'.repeat(40), amount: 12n, entryIds: ['1', '2'] }],
      [],
    ],
    [
      'nets reversals',
      [e('1', 'acc-1', 5n), e('2', 'acc-1', -2n)],
      1n,
      [{ address: '0x' + 'b'.repeat(40), amount: 3n, entryIds: ['1', '2'] }],
      [],
    ],
    [
      'returns an account below the minimum',
      [e('1', 'acc-1', 5n), e('2', 'acc-2', 50n)],
      10n,
      [{ address: '0x' + 'a'.repeat(40), amount: 50n, entryIds: ['2'] }],
      ['1'],
    ],
    ['returns a zero net even with a 0 minimum', [e('1', 'acc-1', 5n), e('2', 'acc-1', -5n)], 0n, [], ['1', '2']],
    ['returns an account without an address', [e('1', 'acc-9', 5n)], 1n, [], ['1']],
    [
      'sorts recipients by address',
      [e('1', 'acc-1', 5n), e('2', 'acc-2', 6n)],
      1n,
      [
        { address: '0x' + 'a'.repeat(40), amount: 6n, entryIds: ['2'] },
        { address: '0x' + 'b'.repeat(40), amount: 5n, entryIds: ['1'] },
      ],
      [],
    ],
  ])('%s', (_name, entries, minAmount, recipients, returned) => {
    const plan = planPayouts({ entries, addresses, minAmount });
    expect(plan.recipients.map((r) => ({ address: r.address, amount: r.amount, entryIds: r.entryIds }))).toEqual(
      recipients,
    );
    expect(plan.returned.map((r) => r.entryId).sort()).toEqual(returned);
    // Conservation: every claimed entry is paid or returned, exactly once.
    const used = [...plan.recipients.flatMap((r) => r.entryIds), ...plan.returned.map((r) => r.entryId)].sort();
    expect(used).toEqual(entries.map((x) => x.entryId).sort());
  });

  it('names entries by assignment, or by ledger row when there is none', () => {
    const plan = planPayouts({
      entries: [e('1', 'acc-1', 5n, 'as-x'), e('2', 'acc-1', 1n, null), e('3', 'acc-1', -1n, 'as-y')],
      addresses,
      minAmount: 1n,
    });
    expect(plan.recipients[0].assignments).toEqual(['as-x', 'entry:2']);
    expect(plan.recipients[0].reversals).toEqual(['as-y']);
  });
});
