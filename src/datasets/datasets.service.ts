import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { id as keccakOfUtf8 } from 'ethers';
import type { Principal } from '../auth/current-account';
import { badInput, forbidden, notFound } from '../common/domain-error';
import { decodeTimeIdCursor, pageSize, type Page, toPage } from '../common/pagination';
import { canManage, canSeeFunding, canView, listScope } from './dataset-access';
import { checkDatasetSettings, type DatasetSettingsInput } from './dataset-settings';
import { AggregationMethod, type LabelSchema } from './dataset-status';
import type { DatasetEntity } from './dataset.entity';
import { DatasetModel, type DatasetProgressModel } from './dataset.model';
import { DatasetsRepository } from './datasets.repository';
import { goldPool, type GoldPool } from './gold-pool';
import { isUuid } from '../common/ids';

// bytes32 that funds this dataset through PayoutVault.deposit: keccak256 of the UTF-8 bytes of
// the dataset id (lower-case uuid text), i.e. ethers `id(datasetId)`. Anyone can recompute it.
export function depositKeyOf(datasetId: string): string {
  return keccakOfUtf8(datasetId.toLowerCase());
}

// Creation, reads and the access rules for them. State changes live in DatasetLifecycleService,
// items in ItemIngestService.
@Injectable()
export class DatasetsService {
  constructor(private readonly datasets: DatasetsRepository) {}

  async create(principal: Principal, input: DatasetSettingsInput): Promise<DatasetModel> {
    const check = checkDatasetSettings(input);
    if (!check.ok) throw badInput(check.message, { field: check.field });
    const s = check.settings;
    const id = randomUUID();
    const entity = await this.datasets.insert({
      id,
      ownerId: principal.id,
      name: s.name,
      instructions: s.instructions,
      labelSchema: s.labelSchema as LabelSchema,
      answersPerItem: s.answersPerItem,
      maxAnswersPerItem: s.maxAnswersPerItem,
      targetConfidence: s.targetConfidence,
      itemsPerTask: s.itemsPerTask,
      goldPerTask: s.goldPerTask,
      rewardPerAnswer: s.rewardPerAnswer,
      minGoldAccuracy: s.minGoldAccuracy,
      leaseSeconds: s.leaseSeconds,
      aggregation: s.aggregation as AggregationMethod,
      goldExposureCap: s.goldExposureCap,
      reviewReward: s.reviewReward,
      appealWindowSeconds: s.appealWindowSeconds,
      disputeReservePercent: s.disputeReservePercent,
      depositKey: depositKeyOf(id),
    });
    return DatasetModel.from(entity, { withFunding: true });
  }

  /** null when the dataset does not exist or the caller may not see it (indistinguishable). */
  async findVisible(principal: Principal, id: string): Promise<DatasetModel | null> {
    if (!isUuid(id)) return null;
    const entity = await this.datasets.findById(id);
    if (!entity || !canView(principal, entity)) return null;
    if (!canSeeFunding(principal, entity)) return DatasetModel.from(entity, { withFunding: false });
    const [withFunds] = await this.datasets.withCurrentFunds([entity]);
    return DatasetModel.from(withFunds, { withFunding: true });
  }

  /** For owner operations: NOT_FOUND when invisible, FORBIDDEN when visible but not yours. */
  async getManageable(principal: Principal, id: string): Promise<DatasetEntity> {
    const entity = isUuid(id) ? await this.datasets.findById(id) : null;
    return assertManageable(principal, entity);
  }

  async list(
    principal: Principal,
    args: { first?: number | null; after?: string | null },
  ): Promise<Page<DatasetModel>> {
    const first = pageSize(args.first);
    const cursor = decodeTimeIdCursor(args.after);
    const after = cursor && { createdAt: cursor.at, id: cursor.id };
    const { rows, totalCount } = await this.datasets.page({
      scope: listScope(principal),
      viewerId: principal.id,
      limit: first + 1,
      after,
    });
    return toPage({
      rows,
      first,
      totalCount,
      keyOf: (r) => r.cursorKey,
      map: (r) => DatasetModel.from(r.entity, { withFunding: canSeeFunding(principal, r.entity) }),
    });
  }

  /** Live counts; item counters come from the dataset row the model was built from. */
  // How far the gold goes, and what the owner should know about it (warned at publish).
  async goldPool(model: DatasetModel): Promise<GoldPool> {
    if (!model.funding) throw forbidden('Only the owner or an admin can see the gold pool');
    const counts = await this.datasets.goldCounts(model.id);
    return goldPool({
      goldPerTask: model.goldPerTask,
      exposureCap: counts.cap,
      goldItems: counts.goldItems,
      retired: counts.retired,
      exhausted: counts.exhausted,
      exposuresUsed: counts.exposuresUsed,
      exposuresLeft: counts.exposuresLeft,
      regularItems: model.funding.itemCount - model.funding.goldItemCount,
      itemsPerTask: model.itemsPerTask,
      answersPerItem: model.answersPerItem,
    });
  }

  async progress(model: DatasetModel): Promise<DatasetProgressModel> {
    if (!model.funding) throw forbidden('Only the owner or an admin can see dataset progress');
    const counts = await this.datasets.progressCounts(model.id);
    return { items: model.funding.itemCount, goldItems: model.funding.goldItemCount, ...counts };
  }
}

export function assertManageable(principal: Principal, entity: DatasetEntity | null): DatasetEntity {
  if (!entity || !canView(principal, entity)) throw notFound('Dataset');
  if (!canManage(principal, entity)) throw forbidden('Only the owner of the dataset or an admin can do this');
  return entity;
}
