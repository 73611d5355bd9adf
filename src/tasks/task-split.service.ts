import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { inTransaction } from '../database/transaction';
import { DatasetStatus } from '../datasets/dataset-status';
import { SplitRepository } from './split.repository';

// Items per batch transaction (rounded down to whole tasks): big enough that 1M items take ~50
// statements, small enough that each transaction is short and locks only rows nobody else uses.
const DEFAULT_BATCH_ITEMS = 20_000;

export interface SplitResult {
  itemsSplit: number;
  tasksCreated: number;
  completed: boolean;
}

// Cuts a published dataset's regular items into tasks. Idempotent and resumable: each batch and
// the cursor move commit together, so running it twice, on two workers at once, or again after
// a crash creates every task exactly once.
@Injectable()
export class TaskSplitService {
  private readonly logger = new Logger(TaskSplitService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly splits: SplitRepository,
  ) {}

  async split(
    datasetId: string,
    options: { batchItems?: number; onProgress?: (percent: number) => Promise<void> | void } = {},
  ): Promise<SplitResult> {
    const terms = await this.splits.terms(this.dataSource.manager, datasetId);
    // Nothing to do for a dataset that is gone, still a draft (publish has not committed) or cancelled.
    if (!terms || terms.status === DatasetStatus.DRAFT || terms.status === DatasetStatus.CANCELLED)
      return { itemsSplit: 0, tasksCreated: 0, completed: false };
    const total = terms.regularItems;
    const perTask = terms.itemsPerTask;
    const limit = Math.max(perTask, Math.floor((options.batchItems ?? DEFAULT_BATCH_ITEMS) / perTask) * perTask);
    for (;;) {
      const cursor = await inTransaction(this.dataSource, async (manager) => {
        const current = await this.splits.lockCursor(manager, datasetId);
        if (current.completed) return current;
        const batch = await this.splits.cutBatch(manager, {
          datasetId,
          afterSeq: current.lastSeq,
          limit,
          itemsPerTask: perTask,
          answersPerItem: terms.answersPerItem,
        });
        const completed = batch.items < limit;
        await this.splits.advanceCursor(manager, {
          datasetId,
          lastSeq: batch.lastSeq,
          items: batch.items,
          tasks: batch.tasks,
          completed,
        });
        return {
          lastSeq: batch.lastSeq,
          itemsSplit: current.itemsSplit + batch.items,
          tasksCreated: current.tasksCreated + batch.tasks,
          completed,
        };
      });
      await options.onProgress?.(total === 0 ? 100 : Math.min(100, Math.floor((100 * cursor.itemsSplit) / total)));
      if (cursor.completed) {
        this.logger.log(
          { datasetId, items: cursor.itemsSplit, tasks: cursor.tasksCreated },
          'dataset split into tasks',
        );
        return { itemsSplit: cursor.itemsSplit, tasksCreated: cursor.tasksCreated, completed: true };
      }
    }
  }
}
