import { Column, Entity, PrimaryColumn } from 'typeorm';

// What a dataset's progress and completion check count, as the sum of the dataset's rows, one per
// database backend that counted (the stripe is its pid: transactions in flight never share a row,
// so counting never waits on a lock nor takes part in a deadlock; the rows of backends that are
// gone are folded into row 0 by fold_dataset_counts()). Read instead of the dataset's own rows,
// whose number grows with its history (migration ProgressFromCounters):
// - labeled_items: regular items LABELED or RESOLVED, kept by the items_count_labeled_* row
//   triggers in the statement that changes the status (LabeledItemsCounter), so an item update
//   need not touch any index and can be HOT;
// - tasks: kept by the tasks_count_* statement triggers of every insert and delete of tasks;
// - accepted_answers: kept by the statement that accepts answers (the verdict's countAcceptedCtes).
@Entity('dataset_counts')
export class DatasetCountsEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_dataset_counts' }) datasetId: string;
  // The writing backend's pid, or 0 for what gone backends counted.
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'PK_dataset_counts' }) stripe: number;
  @Column({ type: 'integer', default: 0 }) labeledItems: number;
  @Column({ type: 'integer', default: 0 }) tasks: number;
  @Column({ type: 'integer', default: 0 }) acceptedAnswers: number;
}
