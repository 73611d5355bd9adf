// The arithmetic of the report's checks, apart from the reads that feed it. Pure; bigint base units.

/** Per labeler, the product's answer count against the simulation's: shortfalls are lost, excess duplicated. */
export function answerCountDiffs(pairs: readonly { product: number; simulated: number }[]): {
  lost: number;
  duplicated: number;
} {
  let lost = 0;
  let duplicated = 0;
  for (const { product, simulated } of pairs) {
    if (product < simulated) lost += simulated - product;
    else duplicated += product - simulated;
  }
  return { lost, duplicated };
}

export interface MoneyReadings {
  /** Tokens the labelers' and reviewers' wallets hold (all new wallets: all received in the run). */
  received: bigint;
  /** Their `paid` per the ledger. */
  ledgerPaid: bigint;
  vaultBefore: bigint;
  deposited: bigint;
  vaultAfter: bigint;
  /** What reached the requester's wallet after its deposit. */
  refundReceived: bigint;
  /** Refunded events of the vault for the dataset. */
  refundedOnChain: bigint;
  budget: bigint;
  spent: bigint;
}

/**
 * The reconciliation line: on-chain receipts == ledger payouts == vault outflow (deposits − the
 * vault's balance change − the refund), and refund == budget − spent, to the base unit.
 */
export function reconcile(m: MoneyReadings): { vaultOutflow: bigint; budgetMinusSpent: bigint; holds: boolean } {
  const vaultOutflow = m.vaultBefore + m.deposited - m.vaultAfter - m.refundReceived;
  const budgetMinusSpent = m.budget - m.spent;
  const holds =
    m.received === m.ledgerPaid &&
    m.ledgerPaid === vaultOutflow &&
    m.refundReceived === budgetMinusSpent &&
    m.refundReceived === m.refundedOnChain;
  return { vaultOutflow, budgetMinusSpent, holds };
}
