import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

// Per-dataset outcome of the last full aggregation run, so `Dataset.agreement` is a primary-key
// read instead of a pass over every answer, plus the bookkeeping that debounces full re-runs of
// large datasets.
@Entity('dataset_consensus')
export class DatasetConsensusEntity {
  @PrimaryColumn({ type: 'uuid' }) datasetId: string;
  // Null while undefined (no item has two answers yet, or one class used throughout).
  @Column({ type: 'double precision', nullable: true }) fleissKappa: number | null;
  @Column({ type: 'double precision', nullable: true }) krippendorffAlpha: number | null;
  @Column({ type: 'double precision', nullable: true }) meanConfidence: number | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) method: string | null;
  // Accepted answers the last full run saw, and the answer count at which the next full run was
  // requested (null when none is pending).
  @Column({ type: 'int', default: 0 }) fullRunAnswers: number;
  @Column({ type: 'int', nullable: true }) fullRunRequestedAnswers: number | null;
  @Column({ type: 'timestamptz', nullable: true }) lastFullRunAt: Date | null;
  // Set when dynamic overlap wanted more answers than the committed budget could pay for.
  @Column({ type: 'boolean', default: false }) overlapBudgetExhausted: boolean;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
