import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { DatasetState } from './dataset-lifecycle';
import { cursorTimeSql } from '../database/cursor-time.sql';
import { rowsOf } from '../database/query-rows';
import { DatasetEntity } from './dataset.entity';
import { fundsOf } from './dataset-funds';

export interface ProgressCounts {
  tasks: number;
  labeledItems: number;
  answers: number;
  activeAssignments: number;
  openDisputes: number;
}

export interface DatasetPageRow {
  entity: DatasetEntity;
  cursorKey: string;
}

const CURSOR_TS = cursorTimeSql('d.created_at');

// A dataset's progress, read from its counters (dataset_counts), its leases held and its open
// cases: nothing it reads grows with the dataset's past or with other datasets'.
export function progressCountsStatement(id: string): { text: string; values: unknown[] } {
  return {
    text: `SELECT coalesce(sum(c.tasks), 0)::int AS tasks, coalesce(sum(c.labeled_items), 0)::int AS "labeledItems",
                  coalesce(sum(c.accepted_answers), 0)::int AS answers,
                  (SELECT count(*) FROM assignments WHERE dataset_id = $1 AND status = 'ACTIVE')::int AS "activeAssignments",
                  (SELECT count(*) FROM disputes WHERE dataset_id = $1 AND status <> 'RESOLVED')::int AS "openDisputes"
             FROM dataset_counts c WHERE c.dataset_id = $1`,
    values: [id],
  };
}

@Injectable()
export class DatasetsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    row: Omit<
      DatasetEntity,
      | 'createdAt'
      | 'updatedAt'
      | 'budget'
      | 'committed'
      | 'spent'
      | 'refunded'
      | 'status'
      | 'itemCount'
      | 'goldItemCount'
      | 'disputeReserve'
    >,
  ): Promise<DatasetEntity> {
    await this.dataSource.getRepository(DatasetEntity).insert(row);
    return this.dataSource.getRepository(DatasetEntity).findOneByOrFail({ id: row.id });
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<DatasetEntity | null> {
    return manager.getRepository(DatasetEntity).findOneBy({ id });
  }

  // For showing funding: committed and spent as they are now, spend stripes included
  // (dataset-funds.ts); the row alone does not have them.
  async findWithFunds(id: string, manager: EntityManager = this.dataSource.manager): Promise<DatasetEntity | null> {
    const entity = await this.findById(id, manager);
    return entity && (await this.withCurrentFunds([entity], manager))[0];
  }

  // SELECT ... FOR UPDATE: holds the row until the transaction ends, so item batches and other
  // transitions wait and then see the result. Acceptances do not take this lock (they add to the
  // spend stripes), so committed/spent of the locked row are not the current funds: decisions about
  // money read commitmentState, and what is shown reads findWithFunds.
  lockById(manager: EntityManager, id: string): Promise<DatasetEntity | null> {
    return manager.getRepository(DatasetEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async withCurrentFunds(
    entities: DatasetEntity[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DatasetEntity[]> {
    const funds = await fundsOf(
      manager,
      entities.map((e) => e.id),
    );
    for (const entity of entities) Object.assign(entity, funds.get(entity.id) ?? {});
    return entities;
  }

  /** The race-free transition: applies only while the status is still one of `from`. Publishing
   * also sets the dispute reserve (part of the committed delta). */
  async applyTransition(
    manager: EntityManager,
    params: {
      id: string;
      from: readonly DatasetState[];
      to: DatasetState;
      committedDelta: bigint;
      disputeReserve?: bigint;
    },
  ): Promise<boolean> {
    const result = await manager.query(
      `UPDATE datasets SET status = $3, committed = committed + $4::numeric, dispute_reserve = coalesce($5::numeric, dispute_reserve), updated_at = now()
        WHERE id = $1 AND status = ANY($2::varchar[]) RETURNING id`,
      [params.id, params.from, params.to, params.committedDelta.toString(), params.disputeReserve?.toString() ?? null],
    );
    return rowsOf(result).length === 1;
  }

  /** Budget into the dispute reserve: committed and the reserve grow together. */
  async addToDisputeReserve(manager: EntityManager, params: { id: string; amount: bigint }): Promise<void> {
    await manager.query(
      'UPDATE datasets SET committed = committed + $2::numeric, dispute_reserve = dispute_reserve + $2::numeric, updated_at = now() WHERE id = $1',
      [params.id, params.amount.toString()],
    );
  }

  // Regular items LABELED or RESOLVED: the counter the status changes keep, a few rows per dataset.
  async countLabeledRegularItems(manager: EntityManager, id: string): Promise<number> {
    const [row] = await manager.query(
      'SELECT coalesce(sum(labeled_items), 0)::int AS n FROM dataset_counts WHERE dataset_id = $1',
      [id],
    );
    return row.n;
  }

  // Folds the counter rows of database backends that no longer exist into each dataset's row 0
  // (migrations/*-FoldLabeledItems.ts, *-ProgressFromCounters.ts), so a dataset keeps about one
  // row per live connection.
  async foldDatasetCounters(manager: EntityManager): Promise<number> {
    const [row] = await manager.query('SELECT fold_dataset_counts() AS folded');
    return row.folded;
  }

  async ownerAddress(manager: EntityManager, id: string): Promise<string> {
    const [row] = await manager.query(
      'SELECT a.address FROM datasets d JOIN accounts a ON a.id = d.owner_id WHERE d.id = $1',
      [id],
    );
    return row.address;
  }

  // refunded += amount (a refund recorded), or −= amount (its transaction failed: refundable again).
  async addRefunded(manager: EntityManager, params: { id: string; amount: bigint }): Promise<void> {
    await manager.query('UPDATE datasets SET refunded = refunded + $2::numeric, updated_at = now() WHERE id = $1', [
      params.id,
      params.amount.toString(),
    ]);
  }

  // What refunds wait for from the disputes side: the dataset's last verdict (its appeal window
  // runs from it) and the cases still open.
  async disputeFacts(
    manager: EntityManager,
    id: string,
  ): Promise<{ lastVerdictAt: Date | null; openDisputes: number }> {
    const [row] = await manager.query(
      `SELECT (SELECT max(last_verdict_at) FROM worker_stats WHERE dataset_id = $1) AS last_verdict_at,
              (SELECT count(*) FROM disputes WHERE dataset_id = $1 AND status <> 'RESOLVED')::int AS open_disputes`,
      [id],
    );
    return { lastVerdictAt: row.last_verdict_at, openDisputes: row.open_disputes };
  }

  // Cases still open on the dataset (any kind): it completes only once the last is resolved.
  async hasOpenDisputes(manager: EntityManager, id: string): Promise<boolean> {
    const [row] = await manager.query(
      `SELECT EXISTS (SELECT 1 FROM disputes WHERE dataset_id = $1 AND status <> 'RESOLVED') AS open`,
      [id],
    );
    return row.open;
  }

  // Funds and the answers still to be paid from the commitment (every item, regular and gold, of
  // assignments being worked on or awaiting review), read in ONE snapshot: an acceptance commits
  // its assignment's status and its spend together, so it is either in flight here or already
  // spent, never both and never neither.
  async commitmentState(
    manager: EntityManager,
    id: string,
  ): Promise<{ budget: bigint; committed: bigint; spent: bigint; answersInFlight: bigint; disputeReserve: bigint }> {
    const [row] = await manager.query(
      `SELECT f.budget::text, f.committed::text, f.spent::text, (SELECT d.dispute_reserve FROM datasets d WHERE d.id = f.id)::text AS dispute_reserve,
              (SELECT coalesce(sum(cardinality(a.item_ids)), 0) FROM assignments a WHERE a.dataset_id = f.id AND a.status IN ('ACTIVE', 'SUBMITTED'))::text AS in_flight
         FROM dataset_funds f WHERE f.id = $1`,
      [id],
    );
    return {
      budget: BigInt(row.budget),
      committed: BigInt(row.committed),
      spent: BigInt(row.spent),
      answersInFlight: BigInt(row.in_flight),
      disputeReserve: BigInt(row.dispute_reserve),
    };
  }

  async progressCounts(id: string): Promise<ProgressCounts> {
    const statement = progressCountsStatement(id);
    const [row] = await this.dataSource.query(statement.text, statement.values);
    return row;
  }

  /** Gold exposure counts of a dataset (one pass over its gold items, by the gold index). */
  async goldCounts(id: string): Promise<{
    goldItems: number;
    retired: number;
    exhausted: number;
    exposuresUsed: number;
    exposuresLeft: number | null;
    cap: number | null;
  }> {
    const [row] = await this.dataSource.query(
      `SELECT count(i.id)::int AS "goldItems",
              count(i.id) FILTER (WHERE i.gold_retired)::int AS retired,
              count(i.id) FILTER (WHERE NOT i.gold_retired AND d.gold_exposure_cap IS NOT NULL AND i.gold_exposures >= d.gold_exposure_cap)::int AS exhausted,
              coalesce(sum(i.gold_exposures), 0)::int AS "exposuresUsed",
              CASE WHEN d.gold_exposure_cap IS NULL THEN NULL
                   ELSE coalesce(sum(greatest(d.gold_exposure_cap - i.gold_exposures, 0)) FILTER (WHERE NOT i.gold_retired), 0)::int END AS "exposuresLeft",
              d.gold_exposure_cap AS cap
         FROM datasets d LEFT JOIN items i ON i.dataset_id = d.id AND i.is_gold
        WHERE d.id = $1 GROUP BY d.id`,
      [id],
    );
    return row;
  }

  /** Newest first; `after` is the key of the last row of the previous page. */
  async page(params: {
    scope: 'all' | 'own-and-open';
    viewerId: string;
    limit: number;
    after: { createdAt: string; id: string } | null;
  }): Promise<{ rows: DatasetPageRow[]; totalCount: () => Promise<number> }> {
    const base = this.dataSource.getRepository(DatasetEntity).createQueryBuilder('d');
    if (params.scope === 'own-and-open')
      base.where(`(d.owner_id = :viewerId OR d.status = 'OPEN')`, { viewerId: params.viewerId });
    const counted = base.clone();
    const query = base
      .clone()
      .addSelect(CURSOR_TS, 'cursor_ts')
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(params.limit);
    if (params.after)
      query.andWhere(`(d.created_at, d.id) < (:afterTs::timestamptz, :afterId::uuid)`, {
        afterTs: params.after.createdAt,
        afterId: params.after.id,
      });
    const { entities, raw } = await query.getRawAndEntities<{ cursor_ts: string }>();
    await this.withCurrentFunds(entities);
    return {
      rows: entities.map((entity, i) => ({ entity, cursorKey: `${raw[i].cursor_ts}|${entity.id}` })),
      totalCount: () => counted.getCount(),
    };
  }
}
