import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DepositScanPlan, RecordedDeposit, SeenDeposit } from './deposit-scan';
import type { DepositStatus } from './deposit-status';

// The SQL of the deposit watcher: its cursor (chain_cursors), the deposits it recorded
// (chain_deposits) and the datasets their keys name. Everything runs in the scan's transaction.
@Injectable()
export class DepositsRepository {
  async cursor(manager: EntityManager, name: string): Promise<number | null> {
    const [row] = (await manager.query(`SELECT block_number FROM chain_cursors WHERE name = $1`, [name])) as {
      block_number: string;
    }[];
    return row ? Number(row.block_number) : null;
  }

  async moveCursor(manager: EntityManager, params: { name: string; blockNumber: number }): Promise<void> {
    await manager.query(
      `INSERT INTO chain_cursors (name, block_number) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET block_number = EXCLUDED.block_number, updated_at = now()`,
      [params.name, params.blockNumber],
    );
  }

  /** Deposits recorded in the block range or seen again now, locked for the scan. */
  async lockRecorded(
    manager: EntityManager,
    params: { range: { from: number; to: number }; seen: SeenDeposit[] },
  ): Promise<RecordedDeposit[]> {
    const rows = (await manager.query(
      `SELECT id, tx_hash, log_index, block_number, block_hash, dataset_key, dataset_id, amount, status FROM chain_deposits
        WHERE block_number BETWEEN $1 AND $2 OR (tx_hash, log_index) IN (SELECT * FROM unnest($3::text[], $4::int[]))
        FOR UPDATE`,
      [params.range.from, params.range.to, params.seen.map((s) => s.txHash), params.seen.map((s) => s.logIndex)],
    )) as {
      id: string;
      tx_hash: string;
      log_index: number;
      block_number: string;
      block_hash: string;
      dataset_key: string;
      dataset_id: string | null;
      amount: string;
      status: DepositStatus;
    }[];
    return rows.map((r) => ({
      id: r.id,
      txHash: r.tx_hash,
      logIndex: r.log_index,
      blockNumber: Number(r.block_number),
      blockHash: r.block_hash,
      datasetKey: r.dataset_key,
      datasetId: r.dataset_id,
      amount: BigInt(r.amount),
      status: r.status,
    }));
  }

  /** Dataset id by deposit key (lower-case), for the keys given. */
  async datasetsByKey(manager: EntityManager, keys: string[]): Promise<Map<string, string>> {
    const rows = (await manager.query(
      `SELECT id, lower(deposit_key) AS key FROM datasets WHERE lower(deposit_key) = ANY($1::text[])`,
      [keys],
    )) as { id: string; key: string }[];
    return new Map(rows.map((d) => [d.key, d.id]));
  }

  /** Records a deposit once; false when (tx_hash, log_index) was recorded already. */
  async insert(manager: EntityManager, d: DepositScanPlan['inserts'][number]): Promise<boolean> {
    const inserted = (await manager.query(
      `INSERT INTO chain_deposits (tx_hash, log_index, block_number, block_hash, dataset_key, dataset_id, from_address, amount, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tx_hash, log_index) DO NOTHING RETURNING id`,
      [
        d.txHash,
        d.logIndex,
        d.blockNumber,
        d.blockHash,
        d.datasetKey,
        d.datasetId,
        d.from,
        d.amount.toString(),
        d.status,
      ],
    )) as { id: string }[];
    return inserted.length > 0;
  }

  async restore(manager: EntityManager, r: DepositScanPlan['restores'][number]): Promise<void> {
    await manager.query(
      `UPDATE chain_deposits SET status = $2, dataset_id = $3, block_number = $4, block_hash = $5, updated_at = now() WHERE id = $1`,
      [r.id, r.status, r.datasetId, r.blockNumber, r.blockHash],
    );
  }

  async move(manager: EntityManager, m: DepositScanPlan['moves'][number]): Promise<void> {
    await manager.query(
      `UPDATE chain_deposits SET block_number = $2, block_hash = $3, updated_at = now() WHERE id = $1`,
      [m.id, m.blockNumber, m.blockHash],
    );
  }

  async reverse(manager: EntityManager, id: string): Promise<void> {
    await manager.query(`UPDATE chain_deposits SET status = 'REVERSED', updated_at = now() WHERE id = $1`, [id]);
  }
}
