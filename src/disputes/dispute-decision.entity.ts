import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

// Every decision a reviewer took about one item: a final label (LABEL) or a gold verdict (KEEP,
// CORRECT, RETIRE), with what the item's label was left as (`result`; {"retired": true} for
// RETIRE). A later decision about the same item with a different result overturns this one
// (reviewerStats.overturned), and a KEEP at the current gold version stops the same gold item
// from being contested again automatically.
@Entity('dispute_decisions')
@Index('dispute_decisions_item_idx', ['itemId', 'decidedAt'])
@Index('dispute_decisions_reviewer_idx', ['reviewerId'])
export class DisputeDecisionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) disputeId: string;
  @Column({ type: 'uuid' }) itemId: string;
  @Column({ type: 'uuid' }) reviewerId: string;
  @Column({ type: 'varchar', length: 16 }) verdict: string;
  // Gold verdicts: the gold version after the decision.
  @Column({ type: 'int', nullable: true }) goldVersion: number | null;
  @Column({ type: 'jsonb', nullable: true }) result: unknown;
  @Column({ type: 'timestamptz' }) decidedAt: Date;
}
