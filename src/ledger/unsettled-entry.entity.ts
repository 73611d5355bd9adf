import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintColumn } from '../common/money';
import type { LedgerKind } from './ledger-entry.entity';

// The settlement queue: one row per EARNING/REVERSAL/REVIEW_REWARD ledger entry that no live
// payout batch covers yet. A trigger on ledger_entries inserts the row (so every writer of
// earnings, review rewards and reversals is covered), the batch builder deletes the rows it pays, a FAILED batch puts them
// back. Derived state: it can be rebuilt from ledger_entries and payout_items, and the
// reconciliation tests check that sum(ledger) == sum(unsettled) + in-flight per account.
// The builder scans only this (small) table, never the whole ledger history.
@Entity('ledger_unsettled')
@Index('ledger_unsettled_account_idx', ['accountId', 'availableAt'])
export class UnsettledEntryEntity {
  @PrimaryColumn({ type: 'bigint' }) entryId: string;
  @Column({ type: 'uuid' }) accountId: string;
  @Column({ type: 'varchar', length: 24 }) kind: LedgerKind;
  @Column({ type: 'numeric', precision: 78, scale: 0, transformer: bigintColumn }) amount: bigint;
  @Column({ type: 'uuid', nullable: true }) assignmentId: string | null;
  @Column({ type: 'timestamptz' }) availableAt: Date;
}
