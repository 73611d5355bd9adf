import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { bigintColumn } from '../common/money';

// A background re-score after a gold item was corrected or retired. The work goes worker by
// worker (ordered by id) and `cursor` is the last worker done, advanced in the same transaction
// as that worker's changes: a re-score killed midway resumes where it stopped, and one run
// twice does nothing the second time. `earmark` is the part of the dispute reserve set aside at
// the resolution for the acceptances it may pay; what it did not pay returns to the reserve when
// it finishes.
@Entity('gold_rescores')
@Unique('gold_rescores_item_version_key', ['itemId', 'goldVersion'])
@Index('gold_rescores_unfinished_idx', ['requestedAt'], { where: 'finished_at IS NULL' })
export class GoldRescoreEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'uuid' }) itemId: string;
  @Column({ type: 'int' }) goldVersion: number;
  @Column({ type: 'uuid', nullable: true }) cursor: string | null;
  @Column({ type: 'numeric', precision: 78, scale: 0, transformer: bigintColumn }) earmark: bigint;
  @Column({ type: 'numeric', precision: 78, scale: 0, default: 0, transformer: bigintColumn }) paid: bigint;
  @Column({ type: 'int', default: 0 }) workers: number;
  @Column({ type: 'int', default: 0 }) accepted: number;
  @Column({ type: 'int', default: 0 }) unblocked: number;
  @CreateDateColumn({ type: 'timestamptz' }) requestedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt: Date | null;
}
