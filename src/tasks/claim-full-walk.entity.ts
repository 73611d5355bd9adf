import { Column, Entity, PrimaryColumn } from 'typeorm';

// When a claim last walked every claimable task of a dataset and found none with no item the worker
// was ever shown. A claim looks at two bounded stretches of the claimable tasks first; only when
// both hold nothing new for the worker does it walk them all, and not again within a minute of a
// walk that found nothing (migration ClaimLooksAtABoundedStretch): a worker who has seen every open
// task costs one walk a minute, not one a claim.
@Entity('claim_full_walks')
export class ClaimFullWalkEntity {
  @PrimaryColumn({ type: 'uuid' }) workerId: string;
  @PrimaryColumn({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'timestamptz' }) foundNothingAt: Date;
}
