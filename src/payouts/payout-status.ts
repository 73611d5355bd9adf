// PENDING: built, debited, nothing signed yet. SUBMITTED: a transaction is signed and stored
// (maybe not yet broadcast, maybe mined with too few confirmations). CONFIRMED: the vault's
// BatchPaid event has CHAIN_CONFIRMATIONS confirmations. FAILED: reverted; debits reversed.
// Pure: registered as a GraphQL enum in payout-batch.model.ts, so pure modules can use it.
export enum PayoutStatus {
  PENDING = 'PENDING',
  SUBMITTED = 'SUBMITTED',
  CONFIRMED = 'CONFIRMED',
  FAILED = 'FAILED',
}
