import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

// Per worker and dataset: gold record and the latest accuracy estimate.
@Entity('worker_stats')
export class WorkerStatEntity {
  @PrimaryColumn({ type: 'uuid' }) workerId: string;
  @PrimaryColumn({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'int', default: 0 }) answers: number;
  @Column({ type: 'int', default: 0 }) goldSeen: number;
  @Column({ type: 'int', default: 0 }) goldCorrect: number;
  @Column({ type: 'double precision', nullable: true }) estimatedAccuracy: number | null;
  @Column({ type: 'boolean', default: false }) blocked: boolean;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
