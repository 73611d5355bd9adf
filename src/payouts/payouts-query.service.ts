import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { decodeTimeIdCursor, pageSize, toPage, type Page } from '../common/pagination';
import { cursorTimeSql } from '../database/cursor-time.sql';
import { PayoutBatchEntity } from './payout-batch.entity';
import type { PayoutStatus } from './payout-status';
import { PayoutsRepository } from './payouts.repository';

// Read side of payouts. Visibility: a batch (manifest included) is public — anyone can verify
// it, and its recipients and amounts are public on chain anyway. The list is per caller:
// ADMIN sees every batch, anyone else the batches that pay them.
@Injectable()
export class PayoutsQueryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: PayoutsRepository,
  ) {}

  /** Payout batches only: a refund row (kind REFUND) is shown on its dataset, not here. */
  async byIdOrBatchId(id: string): Promise<PayoutBatchEntity | null> {
    const batch = await this.repo.findByIdOrBatchId(id);
    return batch?.kind === 'PAYOUT' ? batch : null;
  }

  /** Newest first; the cursor is (created_at, id) of the last row. */
  async page(params: {
    viewerId: string | null;
    status?: PayoutStatus;
    first?: number;
    after?: string;
  }): Promise<Page<PayoutBatchEntity>> {
    const first = pageSize(params.first);
    const cursor = decodeTimeIdCursor(params.after);
    const qb = this.dataSource.getRepository(PayoutBatchEntity).createQueryBuilder('b').where(`b.kind = 'PAYOUT'`);
    if (params.status) qb.andWhere('b.status = :status', { status: params.status });
    if (params.viewerId)
      qb.andWhere('EXISTS (SELECT 1 FROM payout_items i WHERE i.payout_batch_id = b.id AND i.account_id = :viewer)', {
        viewer: params.viewerId,
      });
    const counted = qb.clone();
    if (cursor !== null)
      qb.andWhere('(b.created_at, b.id) < (:at::timestamptz, :id::uuid)', { at: cursor.at, id: cursor.id });
    const { entities, raw } = await qb
      .addSelect(cursorTimeSql('b.created_at'), 'cursor_time')
      .orderBy('b.created_at', 'DESC')
      .addOrderBy('b.id', 'DESC')
      .limit(first + 1)
      .getRawAndEntities<{ cursor_time: string }>();
    const rows = entities.map((batch, i) => ({ batch, cursorTime: raw[i].cursor_time }));
    return toPage({
      rows,
      first,
      totalCount: () => counted.getCount(),
      keyOf: (r) => `${r.cursorTime}|${r.batch.id}`,
      map: (r) => r.batch,
    });
  }
}
