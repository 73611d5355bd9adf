import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { notFound } from '../common/domain-error';

// Refund accounting for a dataset (used by cancelDataset). The datasets area owns the status
// and the committed counter; this answers what may go back to the requester.
//
//   refundable = budget − spent − committed
//
// On cancel, the datasets service sets committed to inFlightReserve() — the pay still owed for
// assignments that may yet be accepted (ACTIVE or SUBMITTED), every answer counted, gold
// included — in the cancelling transaction. Until then committed is the full reservation.
// Sending the refund on chain is not implemented: the PayoutVault has no refund entry point
// (a one-recipient payBatch to the requester would be the way), so refundable is reported only.
@Injectable()
export class DatasetFundingService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async refundableAmount(datasetId: string, manager: EntityManager = this.dataSource.manager): Promise<bigint> {
    const [row] = (await manager.query(`SELECT budget - spent - committed AS refundable FROM datasets WHERE id = $1`, [datasetId])) as { refundable: string }[];
    if (!row) throw notFound('Dataset');
    const refundable = BigInt(row.refundable);
    return refundable > 0n ? refundable : 0n;
  }

  /** Pay still owed for assignments that can be accepted: reward × answers of ACTIVE/SUBMITTED ones. */
  async inFlightReserve(datasetId: string, manager: EntityManager = this.dataSource.manager): Promise<bigint> {
    const [row] = (await manager.query(
      `SELECT coalesce(sum(cardinality(a.item_ids)), 0)::numeric * d.reward_per_answer AS reserve
         FROM datasets d LEFT JOIN assignments a ON a.dataset_id = d.id AND a.status IN ('ACTIVE', 'SUBMITTED')
        WHERE d.id = $1 GROUP BY d.reward_per_answer`,
      [datasetId],
    )) as { reserve: string }[];
    if (!row) throw notFound('Dataset');
    return BigInt(row.reserve);
  }
}
