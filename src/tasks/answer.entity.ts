import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

// The key (item, worker) is invariant 1 in the database itself: a worker answers an item once. It
// is the only identity an answer has; nothing reads one by anything else.
@Entity('answers')
@Index('answers_dataset_idx', ['datasetId', 'itemId'])
export class AnswerEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'answers_item_worker_key' }) itemId: string;
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'answers_item_worker_key' }) workerId: string;
  @Column({ type: 'uuid' }) assignmentId: string;
  @Column({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'jsonb' }) value: unknown;
  @Column({ type: 'boolean', default: false }) isGold: boolean;
  // Whether the answer counts (its assignment was accepted). Rejected work is kept, not counted.
  @Column({ type: 'boolean', default: false }) accepted: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
