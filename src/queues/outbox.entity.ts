import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

// Transactional outbox: a job that must follow a state change is written in the same
// transaction as the change; the dispatcher turns rows into bull jobs and marks them.
@Entity('outbox')
@Index('outbox_pending_idx', ['id'], { where: 'dispatched_at IS NULL' })
export class OutboxEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ type: 'varchar', length: 64 }) queue: string;
  @Column({ type: 'varchar', length: 64 }) jobName: string;
  @Column({ type: 'jsonb' }) payload: Record<string, unknown>;
  // Deterministic job id: dispatching the same row twice enqueues one job.
  @Column({ type: 'varchar', length: 200 }) jobId: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) dispatchedAt: Date | null;
}
