import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

// Append-only record of privileged actions (role changes, blocks, budget credits, resolutions).
@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ type: 'uuid', nullable: true }) actorId: string | null;
  @Column({ type: 'varchar', length: 64 }) action: string;
  @Index() @Column({ type: 'varchar', length: 128 }) subject: string;
  @Column({ type: 'jsonb', default: () => "'{}'" }) data: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz' }) at: Date;
}
