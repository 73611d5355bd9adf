import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { recordAudit } from '../audit/audit';
import { CLOCK, type Clock } from '../common/clock';
import { queryRows } from '../database/query-rows';
import { inTransaction } from '../database/transaction';
import { appealWindowOver } from './appeal-window';
import { releaseReserve } from './dispute-reserve';
import { SourcesRepository } from './sources.repository';

// What is left of a dataset's dispute reserve stops being committed — and so becomes refundable
// (budget − spent − committed) — once nothing more can be owed from it: the dataset is COMPLETED
// or CANCELLED, its appeal window is over, no case is open and no gold re-score is running.
// Checked by the periodic disputes scan, idempotent, audited.
@Injectable()
export class ReserveReleaseService {
  private readonly logger = new Logger(ReserveReleaseService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sources: SourcesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Releases every reserve that is due; answers the datasets released. */
  async releaseDue(): Promise<number> {
    const held = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `SELECT id FROM datasets WHERE dispute_reserve > 0 AND status IN ('COMPLETED', 'CANCELLED')`,
      [],
    );
    let released = 0;
    for (const { id } of held) if (await this.releaseIfDue(id)) released++;
    if (released) this.logger.log({ datasets: released }, 'dispute reserves released');
    return released;
  }

  async releaseIfDue(datasetId: string): Promise<boolean> {
    return inTransaction(this.dataSource, async (manager) => {
      const [d] = await queryRows<{ status: string; appeal_window_seconds: number; busy: boolean }>(
        manager,
        `SELECT status, appeal_window_seconds,
                EXISTS (SELECT 1 FROM disputes x WHERE x.dataset_id = d.id AND x.status <> 'RESOLVED')
                OR EXISTS (SELECT 1 FROM gold_rescores g WHERE g.dataset_id = d.id AND g.finished_at IS NULL) AS busy
           FROM datasets d WHERE id = $1 FOR UPDATE`,
        [datasetId],
      );
      if (!d || (d.status !== 'COMPLETED' && d.status !== 'CANCELLED') || d.busy) return false;
      const lastVerdictAt = await this.sources.lastVerdictAt(manager, datasetId);
      if (!appealWindowOver({ lastVerdictAt, appealWindowSeconds: d.appeal_window_seconds, now: this.clock.now() }))
        return false;
      const amount = await releaseReserve(manager, datasetId);
      if (amount === 0n) return false;
      await recordAudit(manager, {
        actorId: null,
        action: 'dataset.release-dispute-reserve',
        subject: `dataset:${datasetId}`,
        data: { released: amount.toString() },
      });
      return true;
    });
  }
}
