import { Column, Entity, PrimaryColumn } from 'typeorm';

// Every item (regular or gold) ever put in front of a worker, written by the claim that shows it.
// The primary key is the per-worker lookup the claim query probes ("has this worker seen any item
// of this task?") and a backstop for invariant 1: the same item cannot be shown to a worker twice,
// even through a top-up task or a gold injection.
@Entity('worker_seen_items')
export class WorkerSeenItemEntity {
  @PrimaryColumn({ type: 'uuid' }) workerId: string;
  @PrimaryColumn({ type: 'uuid' }) itemId: string;
  @Column({ type: 'uuid' }) datasetId: string;
}
