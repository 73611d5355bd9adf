import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintColumn } from '../common/money';
import { AggregationMethod, DatasetStatus, type LabelSchema } from './dataset-status';

const money = { type: 'numeric', precision: 78, scale: 0, transformer: bigintColumn } as const;

@Entity('datasets')
@Check('datasets_refunded_check', 'refunded >= 0')
@Index('datasets_owner_created_idx', ['ownerId', 'createdAt', 'id'])
@Index('datasets_status_created_idx', ['status', 'createdAt', 'id'])
// Finished datasets still holding a dispute reserve: the reserve release scans these.
@Index('datasets_reserve_held_idx', ['id'], { where: "dispute_reserve > 0 AND status IN ('COMPLETED', 'CANCELLED')" })
export class DatasetEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) ownerId: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'text', nullable: true }) instructions: string | null;
  @Column({ type: 'jsonb' }) labelSchema: LabelSchema;
  @Column({ type: 'int' }) answersPerItem: number;
  @Column({ type: 'int' }) maxAnswersPerItem: number;
  @Column({ type: 'double precision', nullable: true }) targetConfidence: number | null;
  @Column({ type: 'int' }) itemsPerTask: number;
  @Column({ type: 'int', default: 0 }) goldPerTask: number;
  @Column({ ...money }) rewardPerAnswer: bigint;
  @Column({ type: 'double precision', nullable: true }) minGoldAccuracy: number | null;
  // Workers a gold item may be shown to; null (datasets from before the cap) = no cap.
  @Column({ type: 'int', nullable: true }) goldExposureCap: number | null;
  @Column({ type: 'int', default: 600 }) leaseSeconds: number;
  @Column({ type: 'varchar', length: 32, default: AggregationMethod.IBCC }) aggregation: AggregationMethod;
  // Disputes: paid to the reviewer per resolved case; how long after a verdict a labeler may
  // appeal; the share of the labeling cost committed at publish as the dispute reserve, and what
  // is left of that reserve (part of `committed`, spent only by retroactive acceptances and
  // review rewards, released once the dataset is over and its appeal window has passed).
  @Column({ ...money, default: 0 }) reviewReward: bigint;
  @Column({ type: 'int', default: 604800 }) appealWindowSeconds: number;
  @Column({ type: 'int', default: 10 }) disputeReservePercent: number;
  @Column({ ...money, default: 0 }) disputeReserve: bigint;
  // Funding: budget = confirmed deposits + admin credits; committed = reserved for answers still
  // to be bought; spent = paid for accepted answers. budget >= committed + spent always.
  @Column({ ...money, default: 0 }) budget: bigint;
  @Column({ ...money, default: 0 }) committed: bigint;
  @Column({ ...money, default: 0 }) spent: bigint;
  // Sent (or being sent) back to the owner on chain by refundDataset; budget is never lowered.
  @Column({ ...money, default: 0 }) refunded: bigint;
  @Column({ type: 'varchar', length: 16, default: DatasetStatus.DRAFT }) status: DatasetStatus;
  // Item counters, kept by the ingest in the same transaction as each inserted batch (items are
  // never deleted), so progress and publish read them in O(1) and under the row lock.
  @Column({ type: 'int', default: 0 }) itemCount: number;
  @Column({ type: 'int', default: 0 }) goldItemCount: number;
  // bytes32 used with PayoutVault.deposit to fund this dataset.
  @Column({ type: 'char', length: 66, unique: true }) depositKey: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  // Not columns: read with the current funds (DatasetsRepository.withCurrentFunds) for refunds.
  deposited?: bigint;
  activeAssignments?: number;
  submittedAssignments?: number;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
