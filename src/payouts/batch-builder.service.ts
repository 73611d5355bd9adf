import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { LOCKS, xactLock } from '../database/advisory-locks';
import { ChainService } from '../chain/chain.service';
import { CLOCK, type Clock } from '../common/clock';
import { parseTokenAmount } from '../common/money';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { rowsOf } from '../database/query-rows';
import { inTransaction } from '../database/transaction';
import { LedgerKind } from '../ledger/ledger-entry.entity';
import { enqueueInTransaction } from '../queues/outbox';
import { buildManifest, canonicalManifestJson } from './manifest';
import { batchIdOf, hashText } from './manifest-hash';
import { PayoutBatchEntity } from './payout-batch.entity';
import { planPayouts, type ClaimedEntry } from './payout-plan';

// The sender's gas model allows 40k a recipient (a fresh-holder transfer costs ~26k): 700
// recipients (28.1M) is the most that fits a 30M-gas block, whatever PAYOUT_MAX_RECIPIENTS says.
export const MAX_RECIPIENTS_PER_TX = 700;
const MAX_BATCHES_PER_RUN = 200;

// Builds payout batches from the settlement queue. One batch = one transaction that claims
// the entries (DELETE ... RETURNING from ledger_unsettled), writes the PAYOUT debits, the
// batch row with its canonical manifest, the items, and the outbox row of its send job.
// Builders are serialised by an advisory transaction lock; the DELETE claims each entry once
// even without it, so no earning can land in two batches.
@Injectable()
export class BatchBuilderService {
  private readonly logger = new Logger(BatchBuilderService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly chain: ChainService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Builds batches until no account is payable. Returns the new batches. */
  async buildAll(): Promise<PayoutBatchEntity[]> {
    this.chain.require();
    const built: PayoutBatchEntity[] = [];
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
      const batch = await inTransaction(this.dataSource, (manager) => this.buildOne(manager));
      if (batch === null) break;
      built.push(batch);
    }
    if (built.length) this.logger.log({ batches: built.length, recipients: built.reduce((n, b) => n + b.recipients, 0) }, 'payout batches built');
    return built;
  }

  private async buildOne(manager: EntityManager): Promise<PayoutBatchEntity | null> {
    const { settings } = this.chain.require();
    await xactLock(manager, LOCKS.buildBatches);
    const now = this.clock.now();
    const minAmount = parseTokenAmount(this.config.payoutMinAmount);
    const limit = Math.min(this.config.payoutMaxRecipients, MAX_RECIPIENTS_PER_TX);
    // Oldest payable first, so a backlog larger than one run is served fairly. Blocked
    // accounts keep their balance until an admin unblocks them.
    const accounts = (await manager.query(
      `SELECT u.account_id, a.address FROM ledger_unsettled u JOIN accounts a ON a.id = u.account_id
        WHERE u.available_at <= $1 AND NOT a.blocked
        GROUP BY u.account_id, a.address HAVING sum(u.amount) >= greatest($2::numeric, 1)
        ORDER BY min(u.available_at), u.account_id LIMIT $3`,
      [now, minAmount.toString(), limit],
    )) as { account_id: string; address: string }[];
    if (accounts.length === 0) return null;
    const claimed = rowsOf<{ entry_id: string; account_id: string; kind: string; amount: string; assignment_id: string | null; available_at: Date }>(
      await manager.query(`DELETE FROM ledger_unsettled WHERE account_id = ANY($1::uuid[]) AND available_at <= $2 RETURNING entry_id, account_id, kind, amount, assignment_id, available_at`, [accounts.map((a) => a.account_id), now]),
    );
    const entries: ClaimedEntry[] = claimed.map((c) => ({ entryId: c.entry_id, accountId: c.account_id, kind: c.kind, amount: BigInt(c.amount), assignmentId: c.assignment_id }));
    const plan = planPayouts({ entries, addresses: new Map(accounts.map((a) => [a.account_id, a.address])), minAmount });
    if (plan.returned.length) {
      const back = new Set(plan.returned.map((r) => r.entryId));
      await this.requeue(manager, claimed.filter((c) => back.has(c.entry_id)));
    }
    if (plan.recipients.length === 0) return null;

    const id = randomUUID();
    const batchId = batchIdOf(id);
    const manifest = buildManifest({ chainId: settings.chainId, vault: settings.vaultAddress, token: settings.tokenAddress, batchId, recipients: plan.recipients });
    const text = canonicalManifestJson(manifest);
    await manager.insert(PayoutBatchEntity, { id, batchId, manifestHash: hashText(text), manifest: text, recipients: plan.recipients.length, total: manifest.total });
    const items = JSON.stringify(plan.recipients.map((r) => ({ account_id: r.accountId, address: r.address, amount: r.amount.toString(), entry_ids: r.entryIds })));
    await manager.query(
      `INSERT INTO payout_items (payout_batch_id, account_id, address, amount, entry_ids)
       SELECT $1, x.account_id, x.address, x.amount, x.entry_ids FROM jsonb_to_recordset($2::jsonb) AS x(account_id uuid, address text, amount numeric, entry_ids bigint[])`,
      [id, items],
    );
    // The debits; the ledger's guard trigger refuses them if any balance would go negative.
    await manager.query(
      `INSERT INTO ledger_entries (account_id, kind, amount, payout_batch_id, available_at, idempotency_key)
       SELECT account_id, $2, -amount, payout_batch_id, $3, 'payout:' || payout_batch_id || ':' || account_id FROM payout_items WHERE payout_batch_id = $1`,
      [id, LedgerKind.PAYOUT, now],
    );
    await enqueueInTransaction(manager, { name: 'payouts.send-batch', payload: { batchId: id }, jobId: `payouts.send-batch:${id}` });
    return manager.findOneByOrFail(PayoutBatchEntity, { id });
  }

  private async requeue(manager: EntityManager, rows: { entry_id: string; account_id: string; kind: string; amount: string; assignment_id: string | null; available_at: Date }[]): Promise<void> {
    await manager.query(
      `INSERT INTO ledger_unsettled (entry_id, account_id, kind, amount, assignment_id, available_at)
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::numeric[], $5::uuid[], $6::timestamptz[])`,
      [rows.map((r) => r.entry_id), rows.map((r) => r.account_id), rows.map((r) => r.kind), rows.map((r) => r.amount), rows.map((r) => r.assignment_id), rows.map((r) => r.available_at)],
    );
  }
}
