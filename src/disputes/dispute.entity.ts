import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { DisputeKind, DisputeOutcome, DisputeState } from './dispute-status';

// One case for a reviewer. `status` is the queue that holds it (OPEN: reviewers, ESCALATED:
// ADMIN only) or RESOLVED; a lease (reviewer_id, lease_expires_at) is live while it has not
// expired, so an expired lease returns the case to its queue without anyone writing anything.
@Entity('disputes')
// A labeler appeals an assignment once, ever.
@Index('disputes_one_appeal_key', ['assignmentId'], { unique: true, where: "kind = 'APPEAL'" })
// One open case per (item, kind): a second signal about the same item merges into it.
@Index('disputes_one_open_case_key', ['itemId', 'kind'], {
  unique: true,
  where: "status <> 'RESOLVED' AND item_id IS NOT NULL",
})
// The reviewer queue: priority, then age.
@Index('disputes_queue_idx', ['priority', 'createdAt', 'id'], { where: "status <> 'RESOLVED'" })
@Index('disputes_dataset_created_idx', ['datasetId', 'createdAt', 'id'])
// A dataset's open cases, counted by its progress.
@Index('disputes_dataset_open_idx', ['datasetId'], { where: "status <> 'RESOLVED'" })
@Index('disputes_created_idx', ['createdAt', 'id'])
@Index('disputes_raised_by_idx', ['raisedBy', 'createdAt', 'id'], { where: 'raised_by IS NOT NULL' })
// A reviewer's live lease (one at most) and their record.
@Index('disputes_reviewer_open_idx', ['reviewerId'], { where: "status <> 'RESOLVED'" })
@Index('disputes_resolved_by_idx', ['resolvedBy'], { where: 'resolved_by IS NOT NULL' })
@Index('disputes_escalated_by_idx', ['escalatedBy'], { where: 'escalated_by IS NOT NULL' })
export class DisputeEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'varchar', length: 16 }) kind: DisputeKind;
  @Column({ type: 'varchar', length: 16, default: 'OPEN' }) status: DisputeState;
  // Lower first: a LOW_AGREEMENT item blocks its dataset's completion.
  @Column({ type: 'smallint' }) priority: number;
  // LOW_AGREEMENT, GOLD_CONTEST, REQUESTER_FLAG: the item; APPEAL: the assignment.
  @Column({ type: 'uuid', nullable: true }) itemId: string | null;
  @Column({ type: 'uuid', nullable: true }) assignmentId: string | null;
  // The items the case shows (written to the reviewer's seen items when they get the case).
  @Column({ type: 'uuid', array: true }) itemIds: string[];
  // The appellant or the flagging owner; null when the system raised it.
  @Column({ type: 'uuid', nullable: true }) raisedBy: string | null;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  // Signals merged into this case (GOLD_CONTEST raised again while open).
  @Column({ type: 'int', default: 1 }) signals: number;
  // GOLD_CONTEST: the gold version contested.
  @Column({ type: 'int', nullable: true }) goldVersion: number | null;
  @Column({ type: 'uuid', nullable: true }) reviewerId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) leasedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) leaseExpiresAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) escalatedBy: string | null;
  @Column({ type: 'timestamptz', nullable: true }) escalatedAt: Date | null;
  @Column({ type: 'text', nullable: true }) escalationNote: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) outcome: DisputeOutcome | null;
  @Column({ type: 'text', nullable: true }) note: string | null;
  // The reviewer whose decision resolved it; null when another case's gold verdict closed it.
  @Column({ type: 'uuid', nullable: true }) resolvedBy: string | null;
  @Column({ type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
