import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintColumn } from '../common/money';

// One row per account: the sum of ALL its ledger entries (credits, held or matured, and debits),
// kept by the ledger's insert trigger in the same transaction as the entries (migration
// LedgerBalances). The balance guard reads it instead of summing the account's whole history:
// matured balance = total − credits still held (available_at in the future), and the held part
// is at most one hold period of earnings, whatever the account's age. The upsert also locks the
// row, which is what serialises one account's debits. Derived: rebuildable from ledger_entries.
@Entity('ledger_balances')
export class LedgerBalanceEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_ledger_balances' }) accountId: string;
  @Column({ type: 'numeric', precision: 78, scale: 0, default: 0, transformer: bigintColumn }) total: bigint;
  // EARNING + REVERSAL entries only: everything earned, net of reversals. With total it gives what
  // batches hold (earned − total), so myEarnings never sums paid batches (balances.ts).
  @Column({ type: 'numeric', precision: 78, scale: 0, default: 0, transformer: bigintColumn }) earned: bigint;
}
