// Turns the settlement-queue rows the builder claimed into batch recipients. Pure.
// Every claimed row either ends in exactly one recipient or is handed back (returned), so no
// earning can be dropped or paid twice by this step.

export interface ClaimedEntry {
  entryId: string;
  accountId: string;
  kind: string; // 'EARNING' or 'REVIEW_REWARD' (+), 'REVERSAL' (−)
  amount: bigint; // signed, as in the ledger
  assignmentId: string | null;
}

export interface PlannedRecipient {
  accountId: string;
  address: string;
  amount: bigint;
  entryIds: string[];
  assignments: string[];
  reversals: string[];
}

export interface PayoutPlan {
  recipients: PlannedRecipient[];
  /** Entries of accounts that end up below the minimum: they go back to the queue. */
  returned: ClaimedEntry[];
}

/** What the manifest names an entry by: its assignment, or the ledger row when it has none. */
export function referenceOf(entry: Pick<ClaimedEntry, 'entryId' | 'assignmentId'>): string {
  return entry.assignmentId ?? `entry:${entry.entryId}`;
}

export function planPayouts(params: {
  entries: ClaimedEntry[];
  addresses: ReadonlyMap<string, string>;
  minAmount: bigint;
}): PayoutPlan {
  const byAccount = new Map<string, ClaimedEntry[]>();
  for (const entry of params.entries) {
    const list = byAccount.get(entry.accountId);
    if (list) list.push(entry);
    else byAccount.set(entry.accountId, [entry]);
  }
  const recipients: PlannedRecipient[] = [];
  const returned: ClaimedEntry[] = [];
  // A zero payout is refused by the vault, so the floor is 1 base unit even with a 0 minimum.
  const floor = params.minAmount > 0n ? params.minAmount : 1n;
  for (const [accountId, entries] of byAccount) {
    const amount = entries.reduce((sum, e) => sum + e.amount, 0n);
    const address = params.addresses.get(accountId);
    if (amount < floor || address === undefined) {
      returned.push(...entries);
      continue;
    }
    recipients.push({
      accountId,
      address: address.toLowerCase(),
      amount,
      entryIds: entries.map((e) => e.entryId),
      assignments: entries.filter((e) => e.amount > 0n).map(referenceOf),
      reversals: entries.filter((e) => e.amount < 0n).map(referenceOf),
    });
  }
  recipients.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { recipients, returned };
}
