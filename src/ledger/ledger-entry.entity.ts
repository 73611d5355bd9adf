import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintColumn } from '../common/money';

export enum LedgerKind {
  EARNING = 'EARNING', // + worker: an accepted answer's reward
  REVERSAL = 'REVERSAL', // − worker: an earning taken back (never an edit of the earning)
  PAYOUT = 'PAYOUT', // − worker: moved into a payout batch
  PAYOUT_REVERSAL = 'PAYOUT_REVERSAL', // + worker: a failed batch gives the amount back
  REVIEW_REWARD = 'REVIEW_REWARD', // + reviewer: a resolved dispute's reward
}

// Append-only: rows are inserted, never updated or deleted; balances are sums. Amounts are
// SIGNED (+ credits the worker, − debits), so a balance is sum(amount). The database enforces
// it (migration LedgerPayoutsChain): the sign per kind below, a trigger refusing UPDATE/DELETE,
// and a trigger refusing any debit that would take an account's matured balance below zero.
@Entity('ledger_entries')
@Check(
  'ledger_entries_amount_sign_check',
  `(kind IN ('EARNING', 'PAYOUT_REVERSAL', 'REVIEW_REWARD') AND amount > 0) OR (kind IN ('REVERSAL', 'PAYOUT') AND amount < 0) OR kind NOT IN ('EARNING', 'PAYOUT_REVERSAL', 'REVIEW_REWARD', 'REVERSAL', 'PAYOUT')`,
)
@Index('ledger_entries_account_idx', ['accountId', 'availableAt'])
export class LedgerEntryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ type: 'uuid' }) accountId: string;
  @Column({ type: 'varchar', length: 24 }) kind: LedgerKind;
  @Column({ type: 'numeric', precision: 78, scale: 0, transformer: bigintColumn }) amount: bigint;
  @Column({ type: 'uuid', nullable: true }) datasetId: string | null;
  @Column({ type: 'uuid', nullable: true }) assignmentId: string | null;
  @Column({ type: 'uuid', nullable: true }) payoutBatchId: string | null;
  // Earnings become payable after the hold period.
  @Column({ type: 'timestamptz' }) availableAt: Date;
  // Deterministic per logical operation (e.g. "earning:<assignmentId>"): a retry inserts nothing.
  @Column({ type: 'varchar', length: 200, unique: true }) idempotencyKey: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
