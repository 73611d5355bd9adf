import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

// Per worker and dataset: gold record and the latest accuracy estimate.
@Entity('worker_stats')
// A dataset's workers (its last verdict, the gold contest statistic, workerQuality pages).
@Index('worker_stats_dataset_idx', ['datasetId'])
export class WorkerStatEntity {
  @PrimaryColumn({ type: 'uuid' }) workerId: string;
  @PrimaryColumn({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'int', default: 0 }) answers: number;
  @Column({ type: 'int', default: 0 }) goldSeen: number;
  @Column({ type: 'int', default: 0 }) goldCorrect: number;
  @Column({ type: 'double precision', nullable: true }) estimatedAccuracy: number | null;
  @Column({ type: 'boolean', default: false }) blocked: boolean;
  // GOLD_ACCURACY or GOLD_GAMING: why `blocked` was set (a reviewer may lift one but not the other).
  @Column({ type: 'varchar', length: 32, nullable: true }) blockReason: string | null;
  // Assignments submitted, and given up (released or expired): the release rate an owner sees.
  @Column({ type: 'int', default: 0 }) submitted: number;
  @Column({ type: 'int', default: 0 }) abandoned: number;
  // Submissions waiting for their verdict, and the gold answers among them.
  @Column({ type: 'int', default: 0 }) pending: number;
  @Column({ type: 'int', default: 0 }) pendingGold: number;
  // The latest decided gold answers (true = correct), newest last, at most the verdict window.
  @Column({ type: 'boolean', array: true, default: () => "'{}'" }) recentGold: boolean[];
  // Regular answers compared with the final consensus label, and how many agreed with it.
  @Column({ type: 'int', default: 0 }) regularCompared: number;
  @Column({ type: 'int', default: 0 }) regularAgreed: number;
  // The worker's latest verdict on the dataset: the dataset's appeal window runs from the latest.
  @Column({ type: 'timestamptz', nullable: true }) lastVerdictAt: Date | null;
  // When a submit asked for the pending batch's verdict; cleared by every verdict run that finds
  // the batch (migration SubmitInOneCall: a due batch asks once, or again after 30 s).
  @Column({ type: 'timestamptz', nullable: true }) verdictAskedAt: Date | null;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
