import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

// unique(item, worker) is invariant 1 in the database itself: a worker answers an item once.
@Entity('answers')
@Unique('answers_item_worker_key', ['itemId', 'workerId'])
@Index('answers_dataset_idx', ['datasetId', 'itemId'])
export class AnswerEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) assignmentId: string;
  @Column({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'uuid' }) itemId: string;
  @Column({ type: 'uuid' }) workerId: string;
  @Column({ type: 'jsonb' }) value: unknown;
  @Column({ type: 'boolean', default: false }) isGold: boolean;
  // Whether the answer counts (its assignment was accepted). Rejected work is kept, not counted.
  @Column({ type: 'boolean', default: false }) accepted: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
