import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { recordAudit } from '../audit/audit';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { LOCKS, tryXactLock } from '../database/advisory-locks';
import { ChainService } from './chain.service';
import { planDepositScan, scanRange, type DepositScanPlan, type SeenDeposit } from './deposit-scan';
import { DepositsRepository } from './deposits.repository';
import { changeBudget } from '../datasets/dataset-funds';

const CURSOR = 'deposits';
const MAX_RANGE = 2000; // blocks per eth_getLogs: public RPCs cap ranges

export interface ScanResult {
  from: number;
  to: number;
  credited: number;
  reversed: number;
}

// Credits dataset budgets from the vault's Deposited events (worker side, 'chain.watch-deposits').
// Exactly once: unique(tx_hash, log_index) + the credit in the same transaction as the insert.
// Restart-safe: the cursor is in the database and every scan re-reads a window of blocks.
// Reorg-safe: see deposit-scan.ts. Scans are serialised by an advisory try-lock (another
// worker already scanning means this one skips) and re-check the cursor under it.
@Injectable()
export class DepositWatcherService {
  private readonly logger = new Logger(DepositWatcherService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deposits: DepositsRepository,
    private readonly chain: ChainService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /** Scans until the last confirmed block. Returns one result per range read. */
  async scan(): Promise<ScanResult[]> {
    if (!this.chain.available) return [];
    const results: ScanResult[] = [];
    for (;;) {
      const result = await this.scanOnce();
      if (result === null) return results;
      results.push(result);
      if (result.to >= result.head) return results;
    }
  }

  private async scanOnce(): Promise<(ScanResult & { head: number }) | null> {
    const { provider, vault, settings } = this.chain.require();
    const head = await provider.getBlockNumber();
    const cursor = await this.deposits.cursor(this.dataSource.manager, CURSOR);
    const range = scanRange({
      cursor,
      head,
      confirmations: settings.confirmations,
      window: this.config.chainReorgWindow,
      startBlock: this.config.chainStartBlock,
      maxRange: MAX_RANGE,
    });
    if (range === null) return null;
    const logs = await provider.getLogs({
      address: settings.vaultAddress,
      topics: [vault.interface.getEvent('Deposited')!.topicHash],
      fromBlock: range.from,
      toBlock: range.to,
    });
    const seen: SeenDeposit[] = logs.map((log) => {
      const parsed = vault.interface.parseLog(log)!;
      return {
        txHash: log.transactionHash.toLowerCase(),
        logIndex: log.index,
        blockNumber: log.blockNumber,
        blockHash: log.blockHash.toLowerCase(),
        datasetKey: String(parsed.args.datasetKey).toLowerCase(),
        from: String(parsed.args.from).toLowerCase(),
        amount: BigInt(parsed.args.amount),
      };
    });
    const safeHead = head - Math.max(1, settings.confirmations) + 1;
    return this.dataSource.transaction(async (manager) => {
      if (!(await tryXactLock(manager, LOCKS.depositScan))) return null;
      if ((await this.deposits.cursor(manager, CURSOR)) !== cursor) return null; // another worker moved on
      const plan = await this.plan(manager, seen, range);
      const counts = await this.apply(manager, plan);
      await this.deposits.moveCursor(manager, { name: CURSOR, blockNumber: range.to });
      if (counts.credited || counts.reversed) this.logger.log({ ...range, ...counts }, 'deposits scanned');
      return { ...range, ...counts, head: safeHead };
    });
  }

  private async plan(
    manager: EntityManager,
    seen: SeenDeposit[],
    range: { from: number; to: number },
  ): Promise<DepositScanPlan> {
    const recorded = await this.deposits.lockRecorded(manager, { range, seen });
    const keys = [...new Set([...seen.map((s) => s.datasetKey), ...recorded.map((r) => r.datasetKey.toLowerCase())])];
    return planDepositScan({ seen, recorded, range, datasetByKey: await this.deposits.datasetsByKey(manager, keys) });
  }

  private async apply(manager: EntityManager, plan: DepositScanPlan): Promise<{ credited: number; reversed: number }> {
    let credited = 0;
    let reversed = 0;
    for (const d of plan.inserts) {
      const inserted = await this.deposits.insert(manager, d);
      if (inserted && d.datasetId !== null) {
        await this.applyBudgetChange(manager, {
          datasetId: d.datasetId,
          delta: d.amount,
          action: 'deposit.credited',
          data: { txHash: d.txHash, logIndex: d.logIndex, from: d.from },
        });
        credited++;
      }
    }
    for (const r of plan.restores) {
      await this.deposits.restore(manager, r);
      if (r.datasetId !== null) {
        await this.applyBudgetChange(manager, {
          datasetId: r.datasetId,
          delta: r.amount,
          action: 'deposit.credited',
          data: { depositId: r.id, restored: true },
        });
        credited++;
      }
    }
    for (const m of plan.moves) {
      await this.deposits.move(manager, m);
    }
    for (const r of plan.reversals) {
      await this.deposits.reverse(manager, r.id);
      if (r.wasCredited && r.datasetId !== null) {
        // A reorg deeper than CHAIN_CONFIRMATIONS: the budget shrinks even if it was already
        // committed. That is an operator incident, hence the audit entry and the error log.
        await this.applyBudgetChange(manager, {
          datasetId: r.datasetId,
          delta: -r.amount,
          action: 'deposit.reversed',
          data: { depositId: r.id },
        });
        this.logger.error(
          { depositId: r.id, datasetId: r.datasetId },
          'a credited deposit left the canonical chain; budget reduced',
        );
        reversed++;
      }
    }
    return { credited, reversed };
  }

  private async applyBudgetChange(
    manager: EntityManager,
    params: { datasetId: string; delta: bigint; action: string; data: Record<string, unknown> },
  ): Promise<void> {
    await changeBudget(manager, { datasetId: params.datasetId, delta: params.delta });
    await recordAudit(manager, {
      actorId: null,
      action: params.action,
      subject: `dataset:${params.datasetId}`,
      data: { ...params.data, amount: params.delta.toString() },
    });
  }
}
