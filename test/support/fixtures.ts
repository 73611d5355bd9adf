import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { DatasetStatus, LabelSchema } from '../../src/datasets/dataset-status';
import { GOLD_EXPOSURE_FACTOR } from '../../src/datasets/dataset-settings';

// Datasets and items straight into the tables, for tests (and bench/) that need an open,
// funded dataset without going through createDataset / upload / publish.

export interface DatasetFixtureOptions {
  items?: number;
  gold?: number;
  labelSchema?: LabelSchema;
  answersPerItem?: number;
  maxAnswersPerItem?: number;
  itemsPerTask?: number;
  goldPerTask?: number;
  // How many workers a gold item may be shown to: by default what the product sets at creation
  // (GOLD_EXPOSURE_FACTOR × maxAnswersPerItem); null (no cap) only for what predates the cap.
  goldExposureCap?: number | null;
  rewardPerAnswer?: bigint;
  minGoldAccuracy?: number | null;
  leaseSeconds?: number;
  status?: DatasetStatus | 'OPEN' | 'PAUSED' | 'CANCELLED' | 'DRAFT' | 'COMPLETED';
  /** Gold label of gold item i (0-based); default: the first class, or 3 for RATING, "gold" for FREE_TEXT. */
  goldLabel?: (index: number) => unknown;
  /** Default: exactly what publishing would commit (every answer incl. gold, no slack). */
  budget?: bigint;
}

export interface DatasetFixture {
  datasetId: string;
  ownerId: string;
  regularIds: string[];
  goldIds: string[];
  goldLabels: Map<string, unknown>;
  rewardPerAnswer: bigint;
  committed: bigint;
}

const DEFAULT_SCHEMA = { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog', 'bird'] } as LabelSchema;

export function defaultGoldLabel(schema: LabelSchema): unknown {
  switch (schema.kind) {
    case 'MULTI_CHOICE':
      return [schema.classes?.[0]];
    case 'FREE_TEXT':
      return 'gold';
    case 'RATING':
      return schema.min ?? 3;
    default:
      return schema.classes?.[0];
  }
}

export async function createOpenDataset(
  dataSource: DataSource,
  options: DatasetFixtureOptions = {},
): Promise<DatasetFixture> {
  const schema = options.labelSchema ?? DEFAULT_SCHEMA;
  const items = options.items ?? 20;
  const gold = options.gold ?? 0;
  const answersPerItem = options.answersPerItem ?? 3;
  const itemsPerTask = options.itemsPerTask ?? 5;
  const goldPerTask = options.goldPerTask ?? 0;
  const reward = options.rewardPerAnswer ?? 10n ** 16n;
  const maxAnswers = options.maxAnswersPerItem ?? answersPerItem;
  const tasks = BigInt(Math.ceil(items / itemsPerTask));
  const committed = reward * BigInt(maxAnswers) * (BigInt(items) + tasks * BigInt(goldPerTask));
  const [owner] = await dataSource.query(
    `INSERT INTO accounts (address, roles) VALUES ($1, '{REQUESTER}') RETURNING id`,
    [`0x${randomBytes(20).toString('hex')}`],
  );
  const [dataset] = await dataSource.query(
    `INSERT INTO datasets (owner_id, name, label_schema, answers_per_item, max_answers_per_item, items_per_task, gold_per_task, reward_per_answer,
                           min_gold_accuracy, lease_seconds, budget, committed, status, deposit_key, gold_exposure_cap)
     VALUES ($1, 'fixture', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
    [
      owner.id,
      JSON.stringify(schema),
      answersPerItem,
      maxAnswers,
      itemsPerTask,
      goldPerTask,
      reward.toString(),
      options.minGoldAccuracy ?? null,
      options.leaseSeconds ?? 600,
      (options.budget ?? committed).toString(),
      committed.toString(),
      options.status ?? 'OPEN',
      `0x${randomBytes(32).toString('hex')}`,
      options.goldExposureCap === undefined ? GOLD_EXPOSURE_FACTOR * maxAnswers : options.goldExposureCap,
    ],
  );
  const datasetId: string = dataset.id;
  // Regular items by generate_series so a million of them take seconds, not minutes.
  await dataSource.query(
    `INSERT INTO items (dataset_id, external_id, payload) SELECT $1, 'r' || g, jsonb_build_object('text', 'item ' || g) FROM generate_series(1, $2) g ORDER BY g`,
    [datasetId, items],
  );
  const labelOf = options.goldLabel ?? (() => defaultGoldLabel(schema));
  const goldRows = Array.from({ length: gold }, (_, i) => ({
    external_id: `g${i + 1}`,
    payload: { text: `item g${i + 1}` },
    gold_label: labelOf(i),
  }));
  if (gold > 0) {
    await dataSource.query(
      `INSERT INTO items (dataset_id, external_id, payload, is_gold, gold_label)
       SELECT $1, x.external_id, x.payload, true, x.gold_label FROM jsonb_to_recordset($2::jsonb) AS x(external_id text, payload jsonb, gold_label jsonb)`,
      [datasetId, JSON.stringify(goldRows)],
    );
  }
  // The counters the datasets area keeps at ingest (its completion check reads them).
  await dataSource.query('UPDATE datasets SET item_count = $2, gold_item_count = $3 WHERE id = $1', [
    datasetId,
    items + gold,
    gold,
  ]);
  const regular: { id: string }[] =
    items <= 100_000
      ? await dataSource.query('SELECT id FROM items WHERE dataset_id = $1 AND NOT is_gold ORDER BY seq', [datasetId])
      : [];
  const goldItems: { id: string; gold_label: unknown }[] = await dataSource.query(
    'SELECT id, gold_label FROM items WHERE dataset_id = $1 AND is_gold ORDER BY seq',
    [datasetId],
  );
  return {
    datasetId,
    ownerId: owner.id,
    regularIds: regular.map((r) => r.id),
    goldIds: goldItems.map((g) => g.id),
    goldLabels: new Map(goldItems.map((g) => [g.id, g.gold_label])),
    rewardPerAnswer: reward,
    committed,
  };
}
