import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ItemStatus } from './dataset-status';

// gold_label never leaves the service: GraphQL types are separate classes that do not map it.
@Entity('items')
@Unique('items_dataset_external_id_key', ['datasetId', 'externalId'])
@Index('items_dataset_seq_idx', ['datasetId', 'seq'])
@Index('items_dataset_gold_idx', ['datasetId', 'id'], { where: 'is_gold' })
// The gold a claim may still be shown: what take_gold reads, so used-up gold costs a claim nothing.
@Index('items_usable_gold_idx', ['datasetId', 'id'], { where: 'is_gold AND NOT gold_retired AND NOT gold_capped' })
// No index reads status, answer_count or answers_wanted: the status changes of labeling stay HOT
// updates. Labeled regular items are counted in dataset_counts (see its entity).
export class ItemEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  // Insertion order: tasks are cut in upload order and cursors page by it.
  @Column({
    type: 'bigint',
    generated: 'identity',
    generatedIdentity: 'ALWAYS',
    transformer: { to: (v: unknown) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  seq: number;
  @Column({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'varchar', length: 256, nullable: true }) externalId: string | null;
  @Column({ type: 'jsonb' }) payload: unknown;
  @Column({ type: 'boolean', default: false }) isGold: boolean;
  @Column({ type: 'jsonb', nullable: true }) goldLabel: unknown;
  // Gold only: how many workers were shown it (capped by the dataset's goldExposureCap), and
  // whether a reviewer retired it (never handed out again).
  @Column({ type: 'int', default: 0 }) goldExposures: number;
  @Column({ type: 'boolean', default: false }) goldRetired: boolean;
  // Gold only: goldExposures has reached the dataset's goldExposureCap (the cap never changes, and
  // an exposure is given back only by the claim that took it, in its own transaction).
  @Column({ type: 'boolean', default: false }) goldCapped: boolean;
  // Gold only: bumped by every reviewer correction or retirement of its label.
  @Column({ type: 'int', default: 0 }) goldVersion: number;
  @Column({ type: 'varchar', length: 16, default: ItemStatus.PENDING }) status: ItemStatus;
  // Answers from accepted assignments, and how many this item should collect (grows with
  // dynamic overlap up to the dataset's maxAnswersPerItem).
  @Column({ type: 'int', default: 0 }) answerCount: number;
  @Column({ type: 'int', default: 0 }) answersWanted: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
