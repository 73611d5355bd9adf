import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { AssignmentStatus } from './assignment-status';

@Entity('assignments')
// Only the statuses the code knows (a page of every status reads one index range per status).
@Check(
  'assignments_status_check',
  `status IN (${Object.values(AssignmentStatus)
    .map((status) => `'${status}'`)
    .join(', ')})`,
)
@Unique('assignments_task_worker_key', ['taskId', 'workerId'])
// A worker's own work, newest first (myAssignments): one status, or every status merged (one
// ordered range per status).
@Index('assignments_worker_status_created_idx', ['workerId', 'status', 'createdAt', 'id'])
// Submissions waiting for their verdict, oldest first (the overdue sweep), and live leases by their
// end (the reaper). "<column> IS NOT NULL" (true of every row they hold) keeps every query that does
// not compare that column off them, a worker's own lookups above all: see
// migrations/*-TimeIndexesOnlyForTheirScans.ts.
@Index('assignments_pending_verdict_idx', ['submittedAt'], {
  where: "status = 'SUBMITTED' AND submitted_at IS NOT NULL",
})
@Index('assignments_active_expiry_idx', ['expiresAt'], { where: "status = 'ACTIVE' AND expires_at IS NOT NULL" })
// One active lease per worker and dataset: the backstop behind the claim's per-worker lock.
@Index('assignments_one_active_key', ['workerId', 'datasetId'], { unique: true, where: "status = 'ACTIVE'" })
// What a dataset may still owe: its leases and assignments waiting for a verdict (dataset_funds).
@Index('assignments_in_flight_idx', ['datasetId', 'workerId'], { where: "status IN ('ACTIVE', 'SUBMITTED')" })
export class AssignmentEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) taskId: string;
  @Column({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'uuid' }) workerId: string;
  // Items in the order shown to the worker: task items and gold items shuffled together.
  @Column({ type: 'uuid', array: true }) itemIds: string[];
  @Column({ type: 'uuid', array: true, default: () => "'{}'" }) goldItemIds: string[];
  @Column({ type: 'varchar', length: 16, default: AssignmentStatus.ACTIVE }) status: AssignmentStatus;
  @Column({ type: 'timestamptz' }) expiresAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) submittedAt: Date | null;
  // Hash of the submitted answers: a retry with the same answers returns the stored result.
  @Column({ type: 'char', length: 64, nullable: true }) submissionHash: string | null;
  @Column({ type: 'int', nullable: true }) goldCorrect: number | null;
  @Column({ type: 'int', nullable: true }) goldTotal: number | null;
  // When ACCEPTED / REJECTED was decided (published in batches, some time after the submit).
  @Column({ type: 'timestamptz', nullable: true }) verdictAt: Date | null;
  // A REJECTED verdict a dispute decision overturned (an upheld appeal or a gold re-score); the
  // appeal window still runs from verdictAt. `beyondSlots`: accepted after its slot had gone to
  // someone else, so it was paid from the dispute reserve and its regular answers do not count.
  @Column({ type: 'timestamptz', nullable: true }) lateAcceptedAt: Date | null;
  @Column({ type: 'boolean', default: false }) beyondSlots: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
