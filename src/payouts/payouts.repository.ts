import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '../database/query-rows';
import { inTransaction } from '../database/transaction';
import { LedgerKind } from '../ledger/ledger-entry.entity';
import { PayoutBatchEntity, type VaultTxKind } from './payout-batch.entity';
import { isUuid } from '../common/ids';
import { recordAudit } from '../audit/audit';

// Every state change of a payout batch after it was built. Each update is conditional on the
// status it expects, so two workers racing on one batch cannot both apply a transition.
@Injectable()
export class PayoutsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  load(id: string): Promise<PayoutBatchEntity | null> {
    return this.dataSource.getRepository(PayoutBatchEntity).findOneBy({ id });
  }

  findByIdOrBatchId(idOrBatchId: string): Promise<PayoutBatchEntity | null> {
    const repo = this.dataSource.getRepository(PayoutBatchEntity);
    if (/^0x[0-9a-fA-F]{64}$/.test(idOrBatchId)) return repo.findOneBy({ batchId: idOrBatchId.toLowerCase() });
    if (isUuid(idOrBatchId)) return repo.findOneBy({ id: idOrBatchId.toLowerCase() });
    return Promise.resolve(null);
  }

  /** PENDING/SUBMITTED batches not changed for graceSeconds (a send job may be on the others). */
  async liveIds(graceSeconds = 0): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM payout_batches WHERE status IN ('PENDING', 'SUBMITTED') AND updated_at <= now() - make_interval(secs => $1) ORDER BY created_at`,
      [graceSeconds],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** CONFIRMED batches whose block is within the reorg window: re-checked on every reconcile. */
  async recentlyConfirmed(sinceBlock: number): Promise<{ id: string; kind: VaultTxKind; batchId: string }[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, kind, batch_id FROM payout_batches WHERE status = 'CONFIRMED' AND block_number >= $1 ORDER BY block_number`,
      [sinceBlock],
    )) as { id: string; kind: VaultTxKind; batch_id: string }[];
    return rows.map((r) => ({ id: r.id, kind: r.kind, batchId: r.batch_id }));
  }

  /** Highest nonce held by a live batch: reserved even if its transaction never reached a node. */
  async maxLiveNonce(): Promise<bigint | null> {
    const [row] = (await this.dataSource.query(
      `SELECT max(nonce) AS n FROM payout_batches WHERE status IN ('PENDING', 'SUBMITTED')`,
    )) as { n: string | null }[];
    return row?.n == null ? null : BigInt(row.n);
  }

  /** Nonces held by live batches: their stored transactions will be (re)sent by their own steps. */
  async liveNonces(): Promise<Set<bigint>> {
    const rows = (await this.dataSource.query(
      `SELECT nonce FROM payout_batches WHERE status IN ('PENDING', 'SUBMITTED') AND nonce IS NOT NULL`,
    )) as { nonce: string }[];
    return new Set(rows.map((r) => BigInt(r.nonce)));
  }

  /** Write-ahead: the signed transaction is stored before it is broadcast. */
  async storeSigned(
    id: string,
    tx: {
      nonce: bigint;
      txHash: string;
      rawTx: string;
      maxFeePerGas: bigint;
      maxPriorityFeePerGas: bigint;
      gasLimit: bigint;
      submittedAt: Date;
      fromBlock: number;
    },
  ): Promise<boolean> {
    const rows = rowsOf(
      await this.dataSource.query(
        `UPDATE payout_batches SET status = 'SUBMITTED', nonce = $2, tx_hash = $3, raw_tx = $4, max_fee_per_gas = $5, max_priority_fee_per_gas = $6, gas_limit = $7,
              submitted_at = $8, from_block = coalesce(from_block, $9), send_count = send_count + 1, last_error = NULL, updated_at = now()
        WHERE id = $1 AND status IN ('PENDING', 'SUBMITTED') RETURNING id`,
        [
          id,
          tx.nonce.toString(),
          tx.txHash,
          tx.rawTx,
          tx.maxFeePerGas.toString(),
          tx.maxPriorityFeePerGas.toString(),
          tx.gasLimit.toString(),
          tx.submittedAt,
          tx.fromBlock,
        ],
      ),
    );
    return rows.length === 1;
  }

  /** PENDING/SUBMITTED, or FAILED not yet released (a reorg paid it after all), → CONFIRMED. */
  async markConfirmed(
    id: string,
    paid: { txHash: string; blockNumber: number; blockHash: string; at: Date },
  ): Promise<boolean> {
    const rows = rowsOf(
      await this.dataSource.query(
        `UPDATE payout_batches SET status = 'CONFIRMED', tx_hash = $2, block_number = $3, block_hash = $4, confirmed_at = $5, last_error = NULL, updated_at = now()
        WHERE id = $1 AND (status IN ('PENDING', 'SUBMITTED') OR (status = 'FAILED' AND released_at IS NULL)) RETURNING id`,
        [id, paid.txHash.toLowerCase(), paid.blockNumber, paid.blockHash.toLowerCase(), paid.at],
      ),
    );
    return rows.length === 1;
  }

  /** A CONFIRMED batch whose BatchPaid event left the chain: live again, to be re-sent. */
  async reopenConfirmed(id: string): Promise<boolean> {
    const rows = rowsOf(
      await this.dataSource.query(
        `UPDATE payout_batches SET status = 'SUBMITTED', block_number = NULL, block_hash = NULL, confirmed_at = NULL, last_error = 'reorg: BatchPaid left the chain', updated_at = now()
        WHERE id = $1 AND status = 'CONFIRMED' RETURNING id`,
        [id],
      ),
    );
    return rows.length === 1;
  }

  async recordError(id: string, message: string): Promise<void> {
    await this.dataSource.query(`UPDATE payout_batches SET last_error = $2, updated_at = now() WHERE id = $1`, [
      id,
      message.slice(0, 500),
    ]);
  }

  /**
   * FAILED. `final` when no transaction of the batch can ever be mined (it was never signed):
   * then it is released at once, in the same transaction. Otherwise it stays watched until the
   * failure is older than the reorg window (release).
   */
  async markFailed(id: string, params: { reason: string; at: Date; block: number; final: boolean }): Promise<boolean> {
    return inTransaction(this.dataSource, async (manager) => {
      const rows = rowsOf(
        await manager.query(
          `UPDATE payout_batches SET status = 'FAILED', failure_reason = $2, failed_block = $3, updated_at = now() WHERE id = $1 AND status IN ('PENDING', 'SUBMITTED') RETURNING id`,
          [id, params.reason.slice(0, 200), params.block],
        ),
      );
      if (rows.length !== 1) return false;
      if (params.final) await this.releaseIn(manager, id, params.at);
      return true;
    });
  }

  /** FAILED batches not released yet: watched on every reconcile. */
  async watchedFailedIds(): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM payout_batches WHERE status = 'FAILED' AND released_at IS NULL ORDER BY failed_block`,
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** The failure is final: give back what the batch held (once; false if already released). */
  release(id: string, at: Date): Promise<boolean> {
    return inTransaction(this.dataSource, (manager) => this.releaseIn(manager, id, at));
  }

  /**
   * A payout: a PAYOUT_REVERSAL per recipient gives the debit back, and the settled entries return
   * to the settlement queue so a later batch pays them. A refund: the dataset's `refunded` goes
   * back down, so the amount is refundable again.
   */
  private async releaseIn(manager: EntityManager, id: string, at: Date): Promise<boolean> {
    const rows = rowsOf<{ kind: VaultTxKind; dataset_id: string | null; total: string; failure_reason: string }>(
      await manager.query(
        `UPDATE payout_batches SET released_at = $2, updated_at = now() WHERE id = $1 AND status = 'FAILED' AND released_at IS NULL RETURNING kind, dataset_id, total, failure_reason`,
        [id, at],
      ),
    );
    if (rows.length !== 1) return false;
    const [batch] = rows;
    if (batch.kind === 'REFUND') {
      await manager.query(`UPDATE datasets SET refunded = refunded - $2::numeric, updated_at = now() WHERE id = $1`, [
        batch.dataset_id,
        batch.total,
      ]);
      await recordAudit(manager, {
        actorId: null,
        action: 'dataset.refund-failed',
        subject: `dataset:${batch.dataset_id}`,
        data: { payoutBatchId: id, amount: batch.total, reason: batch.failure_reason },
      });
      return true;
    }
    await manager.query(
      `INSERT INTO ledger_entries (account_id, kind, amount, payout_batch_id, available_at, idempotency_key)
       SELECT account_id, $2, amount, payout_batch_id, $3, 'payout-reversal:' || payout_batch_id || ':' || account_id FROM payout_items WHERE payout_batch_id = $1`,
      [id, LedgerKind.PAYOUT_REVERSAL, at],
    );
    await manager.query(
      `INSERT INTO ledger_unsettled (entry_id, account_id, kind, amount, assignment_id, available_at)
       SELECT l.id, l.account_id, l.kind, l.amount, l.assignment_id, l.available_at
         FROM payout_items i CROSS JOIN LATERAL unnest(i.entry_ids) AS e(entry_id) JOIN ledger_entries l ON l.id = e.entry_id
        WHERE i.payout_batch_id = $1
       ON CONFLICT (entry_id) DO NOTHING`,
      [id],
    );
    return true;
  }
}
