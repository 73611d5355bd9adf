import { Column, Entity, PrimaryColumn } from 'typeorm';

// How many regular items of a dataset are LABELED or RESOLVED: the sum of the dataset's rows,
// one per database backend that changed such an item's status. Kept by the items_count_labeled_*
// triggers in the statement that changes the status (migration LabeledItemsCounter), so an item
// update need not touch any index and can be HOT; the completion check and
// DatasetProgress.labeledItems read these few rows instead of the dataset's items.
@Entity('dataset_labeled_items')
export class DatasetLabeledItemsEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_dataset_labeled_items' }) datasetId: string;
  // The writing backend's pid: transactions in flight never share a row.
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'PK_dataset_labeled_items' }) stripe: number;
  @Column({ type: 'integer', default: 0 }) n: number;
}
