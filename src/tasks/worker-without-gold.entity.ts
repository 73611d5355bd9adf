import { Column, Entity, PrimaryColumn } from 'typeorm';

// A worker told NO_GOLD_LEFT on a dataset: fewer gold items they were never shown, under the
// exposure cap and not retired, than a task carries. Nothing makes gold usable again once it was
// shown to them, reached the cap or was retired (gold is uploaded to drafts only, the cap is set at
// creation, retirement is final, and a claim that gives gold back does so in its own transaction),
// so it stays true: claim_task answers NO_GOLD from this row instead of reading the dataset's gold
// again (invariant 11), and a claim without a dataset passes such datasets by. Whatever someday
// gives gold back must delete the dataset's rows here.
@Entity('workers_without_gold')
export class WorkerWithoutGoldEntity {
  @PrimaryColumn({ type: 'uuid' }) workerId: string;
  @PrimaryColumn({ type: 'uuid' }) datasetId: string;
  @Column({ type: 'timestamptz' }) notedAt: Date;
}
