import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintColumn } from '../common/money';

// What accepted answers cost, on top of datasets.spent. Every acceptance used to move its price
// from committed to spent on the dataset row, so all acceptances on a dataset queued on that one
// row lock (seconds at p99 with 200 labelers). Now each adds to one of a few stripes, and the
// dataset_funds view is the truth: committed = row − stripes, spent = row + stripes. spent +
// committed on the row never changes by an acceptance, so every check of that sum (publish,
// refundable, the budget invariant) reads the row as before.
@Entity('dataset_spend')
export class DatasetSpendEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_dataset_spend' }) datasetId: string;
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'PK_dataset_spend' }) stripe: number;
  @Column({ type: 'numeric', precision: 78, scale: 0, default: 0, transformer: bigintColumn }) amount: bigint;
}

// How many stripes a dataset's acceptances spread over.
export const SPEND_STRIPES = 16;
