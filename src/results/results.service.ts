import { Inject, Injectable } from '@nestjs/common';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { goldGaming } from '../quality/gold-gaming';
import type { Principal } from '../auth/current-account';
import { badInput, forbidden, notFound } from '../common/domain-error';
import { decodeCursor, pageSize, toPage, type Page } from '../common/pagination';
import { canManage, canView } from '../datasets/dataset-access';
import type { AgreementModel } from '../datasets/dataset.model';
import type { ItemResultModel, WorkerQualityModel } from './results.model';
import { ResultsRepository, type DatasetAccessRow } from './results.repository';
import { isUuid } from '../common/ids';

const SEQ = /^[1-9][0-9]{0,18}$/;

// Results, worker quality and export are the dataset owner's (or an ADMIN's). A dataset the
// caller cannot even see is NOT_FOUND (as everywhere in the datasets area); one they can see but
// do not own is FORBIDDEN.
@Injectable()
export class ResultsService {
  constructor(
    private readonly repository: ResultsRepository,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  // Returns the dataset's row as the check read it (its counters give a results page's total).
  async assertCanReadResults(principal: Principal, datasetId: string): Promise<DatasetAccessRow> {
    const dataset = isUuid(datasetId) ? await this.repository.datasetAccess(datasetId) : null;
    if (!dataset || !canView(principal, dataset)) throw notFound('Dataset');
    if (!canManage(principal, dataset))
      throw forbidden('Only the owner of the dataset or an admin can see its results');
    return dataset;
  }

  async datasetResults(
    principal: Principal,
    params: { datasetId: string; first?: number | null; after?: string | null },
  ): Promise<Page<ItemResultModel>> {
    const dataset = await this.assertCanReadResults(principal, params.datasetId);
    const first = pageSize(params.first);
    const afterSeq = decodeCursor(params.after ?? undefined);
    if (afterSeq !== null && !SEQ.test(afterSeq)) throw badInput('Invalid pagination cursor', { field: 'after' });
    const rows = await this.repository.itemResultsPage({
      datasetId: params.datasetId,
      afterSeq,
      limit: first + 1,
    });
    return toPage({
      rows,
      first,
      totalCount: dataset.regularItems,
      keyOf: (r) => r.seq,
      map: (r) => ({
        itemId: r.id,
        externalId: r.externalId,
        label: r.label,
        confidence: r.confidence,
        answers: r.answers,
        status: r.status,
        method: r.method,
      }),
    });
  }

  async workerQuality(
    principal: Principal,
    params: { datasetId: string; first?: number | null; after?: string | null },
  ): Promise<Page<WorkerQualityModel>> {
    await this.assertCanReadResults(principal, params.datasetId);
    const first = pageSize(params.first);
    const afterWorkerId = decodeCursor(params.after ?? undefined);
    if (afterWorkerId !== null && !isUuid(afterWorkerId))
      throw badInput('Invalid pagination cursor', { field: 'after' });
    const { rows, totalCount } = await this.repository.workerQualityPage({
      datasetId: params.datasetId,
      afterWorkerId,
      limit: first + 1,
    });
    return toPage({
      rows,
      first,
      totalCount,
      keyOf: (r) => r.workerId,
      map: (r) => {
        const gaming = goldGaming({
          goldCorrect: r.goldCorrect,
          goldSeen: r.goldSeen,
          regularAgreed: r.regularAgreed,
          regularCompared: r.regularCompared,
          flagGap: this.config.qualityGamingGap,
          blockGap: this.config.qualityGamingBlockGap,
        });
        const claimed = r.submitted + r.abandoned;
        return {
          workerId: r.workerId,
          answers: r.answers,
          goldAnswers: r.goldSeen,
          goldAccuracy: r.goldSeen > 0 ? r.goldCorrect / r.goldSeen : null,
          estimatedAccuracy: r.estimatedAccuracy,
          blocked: r.blocked,
          blockReason: r.blockReason,
          submittedAssignments: r.submitted,
          abandonedAssignments: r.abandoned,
          releaseRate: claimed > 0 ? r.abandoned / claimed : null,
          pendingAssignments: r.pending,
          regularCompared: r.regularCompared,
          regularAgreement: r.regularCompared > 0 ? r.regularAgreed / r.regularCompared : null,
          goldGamingSuspected: gaming.suspected,
        };
      },
    });
  }

  /** Stored by the last full aggregation run; null before it, or while every statistic is. */
  async agreement(datasetId: string): Promise<AgreementModel | null> {
    const row = await this.repository.agreement(datasetId);
    if (!row || (row.fleissKappa === null && row.krippendorffAlpha === null && row.meanConfidence === null))
      return null;
    return row;
  }
}
