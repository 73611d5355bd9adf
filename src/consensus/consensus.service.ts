import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { raiseGoldContests } from '../disputes/gold-contests';
import { goldGaming } from '../quality/gold-gaming';
import { inTransaction } from '../database/transaction';
import { DatasetLifecycleService } from '../datasets/dataset-lifecycle.service';
import { DatasetStatus, ItemStatus, LabelKind } from '../datasets/dataset-status';
import { enqueueInTransaction } from '../queues/outbox';
import { METHOD_CODE_BY_ENUM } from './aggregate';
import { IN_PROCESS_ENGINE, type AggregationEngine } from './aggregation-engine';
import { WORKER_THREAD_ENGINE } from './consensus-threads';
import { DEFAULT_METHOD } from './defaults';
import { ConsensusReadRepository, type ConsensusDataset, type ReadyItem } from './consensus-read.repository';
import { ConsensusWriteRepository, finiteOrNull } from './consensus-write.repository';
import { createLabelCollector, type CollectedResults, type CollectorSchema } from './label-collector';
import { planOverlap, workerSetKeys, type OverlapCandidate } from './overlap-plan';

// Aggregation jobs: load answers, run the pure consensus code, save results, decide overlap,
// all in ONE transaction under a per-dataset advisory lock, so two workers running the same job
// serialise and the second finds nothing left to do.
//
// Incremental vs full (documented in the README):
// - A dataset with up to `incrementalAboveAnswers` accepted answers (200k by default, about a
//   second of Dawid-Skene) gets a FULL run on every 'consensus.aggregate-items' job: all answers,
//   the dataset's method, gold clamped. Jobs queued while one runs find their items already done.
// - A larger dataset gets weighted majority vote on just the ready items, with each worker's
//   last full-run (or gold) accuracy as weight, and a full Dawid-Skene run is requested through
//   the outbox whenever answers grew by FULL_RUN_GROWTH since the last one or no item is left open.
// - From CONSENSUS_THREAD_ABOVE_ANSWERS answers up, the method itself runs in a worker thread
//   (consensus-threads.ts): the event loop stays free, so the api keeps answering in an `all`
//   process and bull keeps renewing the job's lock however long EM takes.
// - The full run is the only writer of a worker's estimated_accuracy (the submit path records
//   gold counts and blocks, nothing else), so the two no longer overwrite each other.

export const INCREMENTAL_ABOVE_ANSWERS = 200_000;
export const FULL_RUN_GROWTH = 0.25;

export interface AggregationSummary {
  datasetId: string;
  mode: 'skipped' | 'full' | 'incremental';
  answers: number;
  resultsChanged: number;
  labeled: number;
  lowAgreement: number;
  unfunded: number;
  topUpTasks: number;
  topUpItems: number;
  rejectedAnswers: number;
  fullRunRequested: boolean;
}

type Outcome = Omit<AggregationSummary, 'datasetId' | 'mode' | 'fullRunRequested'>;

@Injectable()
export class ConsensusService {
  private readonly logger = new Logger(ConsensusService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly read: ConsensusReadRepository,
    private readonly write: ConsensusWriteRepository,
    private readonly lifecycle: DatasetLifecycleService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  private engineFor(answers: number): AggregationEngine {
    return answers >= this.config.consensusThreadAboveAnswers ? WORKER_THREAD_ENGINE : IN_PROCESS_ENGINE;
  }

  /** 'consensus.aggregate-items': settle the items whose answers are all in. */
  async aggregateItems(
    datasetId: string,
    options: { incrementalAboveAnswers?: number } = {},
  ): Promise<AggregationSummary> {
    const summary = await inTransaction(this.dataSource, async (manager) => {
      const dataset = await this.lockAndLoad(manager, datasetId);
      if (!dataset) return skipped(datasetId);
      const ready = await this.read.readyItems(manager, dataset);
      if (ready.length === 0) return skipped(datasetId);
      const approxAnswers = dataset.rewardPerAnswer > 0n ? Number(dataset.spent / dataset.rewardPerAnswer) : 0;
      if (approxAnswers <= (options.incrementalAboveAnswers ?? INCREMENTAL_ABOVE_ANSWERS)) {
        return { datasetId, mode: 'full' as const, fullRunRequested: false, ...(await this.runFull(manager, dataset)) };
      }
      const outcome = await this.runIncremental(manager, dataset, ready);
      const fullRunRequested = await this.maybeRequestFullRun(manager, { dataset, approxAnswers });
      return { datasetId, mode: 'incremental' as const, fullRunRequested, ...outcome };
    });
    await this.afterRun(summary);
    return summary;
  }

  /** 'consensus.aggregate-dataset': the full re-run over every accepted answer. */
  async aggregateDataset(datasetId: string): Promise<AggregationSummary> {
    const summary = await inTransaction(this.dataSource, async (manager) => {
      const dataset = await this.lockAndLoad(manager, datasetId);
      if (!dataset) return skipped(datasetId);
      return { datasetId, mode: 'full' as const, fullRunRequested: false, ...(await this.runFull(manager, dataset)) };
    });
    await this.afterRun(summary);
    return summary;
  }

  private async lockAndLoad(manager: EntityManager, datasetId: string): Promise<ConsensusDataset | null> {
    await this.read.lockDataset(manager, datasetId);
    return this.read.dataset(manager, datasetId);
  }

  private async runFull(manager: EntityManager, dataset: ConsensusDataset): Promise<Outcome> {
    const collector = createLabelCollector(dataset.labelSchema as CollectorSchema);
    const gold = new Set<string>();
    await this.read.streamGold(manager, {
      datasetId: dataset.id,
      onRow: (itemId, label) => {
        if (collector.addGold(itemId, label)) gold.add(itemId);
      },
    });
    let rejectedAnswers = 0;
    const answers = await this.read.streamAnswers(manager, {
      datasetId: dataset.id,
      onRow: (itemId, workerId, value) => {
        if (!collector.add(itemId, workerId, value)) rejectedAnswers++;
      },
    });
    const result = await collector.finish({
      method: METHOD_CODE_BY_ENUM[dataset.aggregation] ?? DEFAULT_METHOD,
      engine: this.engineFor(answers - rejectedAnswers),
    });
    // Ready items are read AFTER the answers (every answer they counted is then in `result`; an
    // item whose last answer arrived mid-run waits for the next job, its result row holding fewer
    // answers than the item) and BEFORE the results are saved (which settles them).
    const ready = await this.read.readyItems(manager, dataset);
    const resultsChanged = await this.saveResults(manager, { dataset, result });
    if (result.workerAccuracy)
      await this.write.writeWorkerAccuracy(manager, {
        datasetId: dataset.id,
        workerIds: result.workerIds,
        accuracy: result.workerAccuracy,
      });
    await this.checkGoldGaming(manager, dataset);
    await this.write.saveFullRun(manager, {
      datasetId: dataset.id,
      fleissKappa: result.fleissKappa,
      krippendorffAlpha: result.krippendorffAlpha,
      meanConfidence: meanConfidenceOfRegularItems(result, gold),
      method: result.method,
      answers: answers - rejectedAnswers,
      at: this.clock.now(),
    });
    const overlap = await this.applyOverlap(manager, { dataset, ready, result });
    return { answers: answers - rejectedAnswers, resultsChanged, rejectedAnswers, ...overlap };
  }

  // Workers whose gold accuracy is far above their agreement with the labels just decided are
  // likely to know the gold: beyond the block gap they get no more tasks here (the flag itself is
  // computed on read, in workerQuality). The other way round, gold items that workers who agree
  // with consensus keep missing are likely wrong: they go to a reviewer as GOLD_CONTEST cases.
  // Choice kinds only: for free text and ratings, exact agreement with a consensus label says too
  // little about an honest worker.
  private async checkGoldGaming(manager: EntityManager, dataset: ConsensusDataset): Promise<void> {
    if (dataset.labelSchema.kind !== LabelKind.SINGLE_CHOICE && dataset.labelSchema.kind !== LabelKind.MULTI_CHOICE)
      return;
    const records = await this.write.writeRegularAgreement(manager, dataset.id);
    const gamers = records.filter(
      (r) =>
        !r.blocked &&
        goldGaming({ ...r, flagGap: this.config.qualityGamingGap, blockGap: this.config.qualityGamingBlockGap }).block,
    );
    await this.write.blockWorkers(manager, {
      datasetId: dataset.id,
      workerIds: gamers.map((r) => r.workerId),
      reason: 'GOLD_GAMING',
    });
    await raiseGoldContests(manager, { datasetId: dataset.id, kind: dataset.labelSchema.kind });
  }

  private async runIncremental(
    manager: EntityManager,
    dataset: ConsensusDataset,
    ready: ReadyItem[],
  ): Promise<Outcome> {
    const known = await this.read.knownAccuracies(manager, dataset.id);
    const collector = createLabelCollector(dataset.labelSchema as CollectorSchema);
    let rejectedAnswers = 0;
    const answers = await this.read.streamAnswers(manager, {
      datasetId: dataset.id,
      itemIds: ready.map((r) => r.id),
      onRow: (itemId, workerId, value) => {
        if (!collector.add(itemId, workerId, value)) rejectedAnswers++;
      },
    });
    const method = dataset.labelSchema.kind === LabelKind.SINGLE_CHOICE ? 'wmv' : 'mv';
    const result = await collector.finish({
      method,
      knownAccuracy: (workerId) => known.get(workerId),
      engine: this.engineFor(answers - rejectedAnswers),
    });
    const resultsChanged = await this.saveResults(manager, { dataset, result });
    const overlap = await this.applyOverlap(manager, { dataset, ready, result });
    return { answers: answers - rejectedAnswers, resultsChanged, rejectedAnswers, ...overlap };
  }

  private async maybeRequestFullRun(
    manager: EntityManager,
    params: { dataset: ConsensusDataset; approxAnswers: number },
  ): Promise<boolean> {
    const { dataset, approxAnswers } = params;
    const state = await this.read.state(manager, dataset.id);
    if (state?.fullRunRequestedAnswers !== null && state?.fullRunRequestedAnswers !== undefined) return false;
    const grown = approxAnswers >= (state?.fullRunAnswers ?? 0) * (1 + FULL_RUN_GROWTH);
    if (!grown && (await this.read.hasOpenItems(manager, dataset.id))) return false;
    await enqueueInTransaction(manager, {
      name: 'consensus.aggregate-dataset',
      payload: { datasetId: dataset.id },
      jobId: `consensus.aggregate-dataset:${dataset.id}:${approxAnswers}`,
    });
    await this.write.markFullRunRequested(manager, { datasetId: dataset.id, answers: approxAnswers });
    return true;
  }

  // Confidence is stored rounded to 12 decimals: answers stream in no particular order, which
  // moves the EM sums in their last bits, and a re-run over the same answers must store the
  // same values (a row's version only moves when its result really changed).
  private async saveResults(
    manager: EntityManager,
    params: { dataset: ConsensusDataset; result: CollectedResults },
  ): Promise<number> {
    const { result } = params;
    const resolved = await this.read.resolvedItemIds(manager, params.dataset.id);
    const itemIds: string[] = [],
      labels: (string | null)[] = [],
      confidence: (number | null)[] = [],
      answers: number[] = [];
    for (let i = 0; i < result.itemIds.length; i++) {
      // Gold items nobody answered yet have nothing to report; a reviewer's decision stands.
      if (result.answers[i] === 0 || resolved.has(result.itemIds[i])) continue;
      itemIds.push(result.itemIds[i]);
      labels.push(result.labels[i] === null ? null : JSON.stringify(result.labels[i]));
      confidence.push(finiteOrNull(Math.round(result.confidence[i] * 1e12) / 1e12));
      answers.push(result.answers[i]);
    }
    return this.write.upsertResults(manager, {
      datasetId: params.dataset.id,
      method: result.method,
      rows: { itemIds, labels, confidence, answers },
    });
  }

  private async applyOverlap(
    manager: EntityManager,
    params: { dataset: ConsensusDataset; ready: ReadyItem[]; result: CollectedResults },
  ): Promise<Omit<Outcome, 'answers' | 'resultsChanged' | 'rejectedAnswers'>> {
    const { dataset, ready, result } = params;
    // Candidates in the ready list's (upload) order, so top-up tasks list items in that order too.
    const readyIds = new Set(ready.map((r) => r.id));
    const indexById = new Map<string, number>();
    result.itemIds.forEach((id, i) => {
      if (readyIds.has(id)) indexById.set(id, i);
    });
    const keys = workerSetKeys({
      itemIndex: result.itemIndex,
      workerIndex: result.workerIndex,
      wanted: new Set(indexById.values()),
    });
    const candidates: OverlapCandidate[] = [];
    for (const item of ready) {
      const i = indexById.get(item.id);
      // answer_count said ready but fewer accepted answers were loaded: wait for a later run.
      if (i === undefined || result.answers[i] < item.answersWanted) continue;
      candidates.push({
        itemId: item.id,
        answers: result.answers[i],
        confidence: result.confidence[i],
        tied: result.tied[i] === 1,
        workerKey: keys.get(i) ?? '',
      });
    }
    const whenMoreNeeded = moreAnswersPolicy(dataset.status);
    // Top-ups are bought for items under target, and for tied items with or without a target.
    const needsHeadroom =
      whenMoreNeeded === 'top-up' &&
      dataset.maxAnswersPerItem > dataset.answersPerItem &&
      (dataset.targetConfidence !== null || candidates.some((c) => c.tied));
    const plan = planOverlap({
      candidates,
      whenMoreNeeded,
      answersPerItem: dataset.answersPerItem,
      maxAnswersPerItem: dataset.maxAnswersPerItem,
      targetConfidence: dataset.targetConfidence,
      itemsPerTask: dataset.itemsPerTask,
      goldPerTask: dataset.goldPerTask,
      rewardPerAnswer: dataset.rewardPerAnswer,
      headroom: needsHeadroom ? await this.read.topUpHeadroom(manager, dataset.id) : 0n,
    });
    await this.write.finishItems(manager, { itemIds: plan.done, status: ItemStatus.LABELED });
    // LOW_AGREEMENT: still under target (or tied) at the ceiling, or no money left to ask anyone else.
    // DISPUTED is the hand-over to human review: each item gets its case in this transaction.
    await this.write.disputeItems(manager, {
      datasetId: dataset.id,
      itemIds: [...plan.lowAgreement, ...plan.unfunded],
    });
    await this.write.createTopUps(manager, { datasetId: dataset.id, topUps: plan.topUps });
    if (plan.unfunded.length > 0) await this.write.markBudgetExhausted(manager, dataset.id);
    return {
      labeled: plan.done.length,
      lowAgreement: plan.lowAgreement.length,
      unfunded: plan.unfunded.length,
      topUpTasks: plan.topUps.length,
      topUpItems: plan.topUps.reduce((n, t) => n + t.itemIds.length, 0),
    };
  }

  // With dynamic overlap only consensus knows when the last item is settled, so a run that
  // settled items asks the datasets area to complete the dataset (its own transaction; a no-op
  // while any regular item is open or DISPUTED). After the commit, so it sees this run's work.
  private async afterRun(summary: AggregationSummary): Promise<void> {
    if (summary.mode === 'skipped') return;
    this.logger.log({ ...summary }, 'aggregation finished');
    if (summary.labeled === 0) return;
    // The next run that settles an item tries again; the results are already committed.
    await this.lifecycle.completeAfter(summary.datasetId, { askedBy: 'consensus', after: 'aggregation' });
  }
}

// A completed dataset released its commitment: nothing more can be bought, so an unsure item
// goes to review. A cancelled or draft one is left alone.
function moreAnswersPolicy(status: DatasetStatus): 'top-up' | 'review' | 'wait' {
  if (status === DatasetStatus.OPEN || status === DatasetStatus.PAUSED) return 'top-up';
  return status === DatasetStatus.COMPLETED ? 'review' : 'wait';
}

function skipped(datasetId: string): AggregationSummary {
  return {
    datasetId,
    mode: 'skipped',
    answers: 0,
    resultsChanged: 0,
    labeled: 0,
    lowAgreement: 0,
    unfunded: 0,
    topUpTasks: 0,
    topUpItems: 0,
    rejectedAnswers: 0,
    fullRunRequested: false,
  };
}

function meanConfidenceOfRegularItems(result: CollectedResults, gold: ReadonlySet<string>): number | null {
  let sum = 0,
    count = 0;
  for (let i = 0; i < result.itemIds.length; i++) {
    if (result.answers[i] === 0 || gold.has(result.itemIds[i])) continue;
    sum += result.confidence[i];
    count++;
  }
  return count === 0 ? null : sum / count;
}
