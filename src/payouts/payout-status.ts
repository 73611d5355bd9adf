// PENDING: built, debited, nothing signed yet. SUBMITTED: a transaction is signed and stored
// (maybe not yet broadcast, maybe mined with too few confirmations). CONFIRMED: the vault's
// BatchPaid event has CHAIN_CONFIRMATIONS confirmations. FAILED: reverted (or refused before
// signing); its debits are reversed once the failure is final (released_at: at once if it was
// never signed, else when it is older than CHAIN_REORG_WINDOW blocks and the vault still has not
// paid it — a reorg that pays it meanwhile makes it CONFIRMED).
// Pure: registered as a GraphQL enum in payout-batch.model.ts, so pure modules can use it.
export enum PayoutStatus {
  PENDING = 'PENDING',
  SUBMITTED = 'SUBMITTED',
  CONFIRMED = 'CONFIRMED',
  FAILED = 'FAILED',
}
