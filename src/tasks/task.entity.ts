import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

// A unit of work: a fixed list of regular items that `slots` different workers each answer.
// open_slots counts slots not taken by an active or accepted assignment; a claim takes one.
@Entity('tasks')
@Index('tasks_claimable_idx', ['datasetId', 'seq'], { where: 'open_slots > 0' })
// Lets the completion check ("is any task of this dataset unfinished?") be one index probe.
@Index('tasks_unfinished_idx', ['datasetId'], { where: 'accepted_count < slots' })
@Check('tasks_open_slots_check', '"open_slots" >= 0')
export class TaskEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({
    type: 'bigint',
    generated: 'identity',
    generatedIdentity: 'ALWAYS',
    transformer: { to: (v: unknown) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  seq: number;
  @Column({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'uuid', array: true }) itemIds: string[];
  @Column({ type: 'int' }) slots: number;
  @Column({ type: 'int' }) openSlots: number;
  @Column({ type: 'int', default: 0 }) acceptedCount: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
