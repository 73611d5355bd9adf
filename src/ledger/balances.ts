// How an account's ledger reads to its owner. Pure.
//
//   pending   = earnings (net of reversals) still in their hold period;
//   available = matured earnings not yet in any live batch: what the next payout run pays
//               (if it is at least PAYOUT_MIN_AMOUNT);
//   inFlight  = amounts in batches that are PENDING or SUBMITTED: debited from available,
//               not yet confirmed on chain;
//   paid      = amounts in CONFIRMED batches.
// FAILED batches (once released: LedgerService shows an unreleased one as in flight) count
// nowhere: their PAYOUT_REVERSAL entries put the amount back into
// available. pending + available + inFlight + paid = everything earned (net of reversals).

export interface Balances {
  pending: bigint;
  available: bigint;
  inFlight: bigint;
  paid: bigint;
}

export function balancesFrom(params: { unsettled: { amount: bigint; availableAt: Date }[]; batches: { status: string; amount: bigint }[]; now: Date }): Balances {
  const b: Balances = { pending: 0n, available: 0n, inFlight: 0n, paid: 0n };
  for (const u of params.unsettled) {
    if (u.availableAt.getTime() > params.now.getTime()) b.pending += u.amount;
    else b.available += u.amount;
  }
  for (const item of params.batches) {
    if (item.status === 'CONFIRMED') b.paid += item.amount;
    else if (item.status === 'PENDING' || item.status === 'SUBMITTED') b.inFlight += item.amount;
  }
  return b;
}
