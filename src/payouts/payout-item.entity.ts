import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintColumn } from '../common/money';

// One recipient of a batch: the amount and the ledger entries (earnings, reversals) it settles.
@Entity('payout_items')
@Index('payout_items_account_idx', ['accountId'])
export class PayoutItemEntity {
  @PrimaryColumn({ type: 'uuid' }) payoutBatchId: string;
  @PrimaryColumn({ type: 'uuid' }) accountId: string;
  @Column({ type: 'varchar', length: 42 }) address: string;
  @Column({ type: 'numeric', precision: 78, scale: 0, transformer: bigintColumn }) amount: bigint;
  @Column({ type: 'bigint', array: true }) entryIds: string[];
}
