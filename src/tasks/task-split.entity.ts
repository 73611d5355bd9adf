import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

// The split cursor of a dataset: regular items are cut into tasks in seq order, one batch per
// transaction, and last_seq moves with each batch. A crash loses at most the uncommitted batch,
// and a second splitter waits on this row and resumes where the first stopped.
@Entity('task_splits')
export class TaskSplitEntity {
  @PrimaryColumn({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'bigint', default: 0 }) lastSeq: string;
  @Column({ type: 'int', default: 0 }) itemsSplit: number;
  @Column({ type: 'int', default: 0 }) tasksCreated: number;
  // Set once no regular item is left uncut; a dataset cannot complete before that.
  @Column({ type: 'timestamptz', nullable: true }) completedAt: Date | null;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
