// How an account's ledger reads to its owner. Pure.
//
//   pending   = earnings (net of reversals) still in their hold period;
//   available = matured earnings not yet in any batch: what the next payout run pays (if it is
//               at least PAYOUT_MIN_AMOUNT);
//   inFlight  = amounts in batches that are PENDING or SUBMITTED (or FAILED but not released:
//               a reorg could still pay them): debited from available, not yet confirmed;
//   paid      = amounts in CONFIRMED batches.
// pending + available + inFlight + paid = everything earned (net of reversals). paid is not summed
// over the account's batches (that grows with history): every batch debit that is not given back
// is either in flight or paid, so paid = earned − ledger total − inFlight, from the account's
// running totals (ledger_balances) and its few live batches.

export interface Balances {
  pending: bigint;
  available: bigint;
  inFlight: bigint;
  paid: bigint;
}

/** What the ledger holds for one account: the parts balancesFrom derives the balances from. */
export interface BalanceParts {
  pending: bigint;
  available: bigint;
  inFlight: bigint;
  earned: bigint;
  total: bigint;
}

export function balancesFrom(params: BalanceParts): Balances {
  return {
    pending: params.pending,
    available: params.available,
    inFlight: params.inFlight,
    paid: params.earned - params.total - params.inFlight,
  };
}
