// Pure: what happened to one vault Deposited event (chain_deposits.status).
export enum DepositStatus {
  CREDITED = 'CREDITED', // added to the dataset's budget
  UNMATCHED = 'UNMATCHED', // no dataset has this deposit key: tokens sit in the vault, nothing credited
  REVERSED = 'REVERSED', // its block left the canonical chain: the credit was taken back
}
