import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

// One row per item (upserted): re-running aggregation replaces, never duplicates.
@Entity('item_results')
@Index('item_results_dataset_idx', ['datasetId', 'itemId'])
export class ItemResultEntity {
  @PrimaryColumn({ type: 'uuid' }) itemId: string;
  @Column({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'jsonb', nullable: true }) label: unknown;
  @Column({ type: 'double precision', nullable: true }) confidence: number | null;
  @Column({ type: 'int' }) answers: number;
  @Column({ type: 'varchar', length: 32 }) method: string;
  @Column({ type: 'int', default: 1 }) version: number;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
