import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { recordSpend } from '../datasets/dataset-funds';
import { recordEarning } from '../ledger/earnings';
import { enqueueInTransaction } from '../queues/outbox';
import { LateAcceptanceRepository } from './late-acceptance.repository';
import { VerdictRepository } from './verdict.repository';

export type LateAcceptance =
  | { outcome: 'ACCEPTED'; assignmentId: string; workerId: string; amount: bigint; beyondSlots: boolean }
  | { outcome: 'NOT_REJECTED' }
  | { outcome: 'UNFUNDED'; amount: bigint };

// A REJECTED verdict overturned by a dispute decision (an upheld appeal, or a gold re-score that
// now passes the assignment): the assignment becomes ACCEPTED and is paid, through the same money
// path as a verdict — one earning, keyed by the assignment, so however many decisions, re-scores
// or retries reach it, it is paid once. Runs inside the caller's transaction.
//
// Where the money comes from depends on the assignment's slot. A rejected slot returns to its
// task; while it is still open (and the dataset still buys answers), the late acceptance takes it
// back: its answers count like any accepted answer and it is paid from the labeling commitment,
// which holds that slot's price. Once someone else took the slot, the acceptance is beyond the
// task's slots: it is paid from the dataset's dispute reserve (the caller's `payFromReserve`
// says whether it could pay) and its regular answers do not join the consensus, so no item ever
// counts more than maxAnswersPerItem answers.
@Injectable()
export class LateAcceptanceService {
  constructor(
    private readonly repository: LateAcceptanceRepository,
    private readonly verdicts: VerdictRepository,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async accept(
    manager: EntityManager,
    params: { assignmentId: string; at: Date; payFromReserve: (amount: bigint) => Promise<boolean> },
  ): Promise<LateAcceptance> {
    const assignment = await this.repository.lockRejected(manager, params.assignmentId);
    if (!assignment) return { outcome: 'NOT_REJECTED' };
    const amount = assignment.rewardPerAnswer * BigInt(assignment.itemIds.length);
    const availableAt = new Date(params.at.getTime() + this.config.payoutHoldSeconds * 1000);
    const regularItemIds = assignment.itemIds.filter((id) => !assignment.goldItemIds.includes(id));
    // Items first, then the task: the lock order of verdicts.
    await this.repository.lockItems(manager, regularItemIds);
    const inSlot = assignment.datasetBuysAnswers && (await this.repository.takeOpenSlot(manager, assignment.taskId));
    if (inSlot) {
      await this.repository.markAccepted(manager, { assignmentId: assignment.id, at: params.at, beyondSlots: false });
      const counted = await this.verdicts.countLateAcceptance(manager, {
        workerId: assignment.workerId,
        taskId: assignment.taskId,
        itemIds: assignment.itemIds,
        regularItemIds,
      });
      await recordSpend(manager, { datasetId: assignment.datasetId, assignmentId: assignment.id, amount });
      if (counted.reachedWanted) {
        await enqueueInTransaction(manager, {
          name: 'consensus.aggregate-items',
          payload: { datasetId: assignment.datasetId },
          jobId: `agg:${assignment.datasetId}:late:${assignment.id}`,
        });
      }
    } else {
      if (!(await params.payFromReserve(amount))) return { outcome: 'UNFUNDED', amount };
      await this.repository.markAccepted(manager, { assignmentId: assignment.id, at: params.at, beyondSlots: true });
    }
    await recordEarning(manager, {
      accountId: assignment.workerId,
      datasetId: assignment.datasetId,
      assignmentId: assignment.id,
      amount,
      availableAt,
    });
    return {
      outcome: 'ACCEPTED',
      assignmentId: assignment.id,
      workerId: assignment.workerId,
      amount,
      beyondSlots: !inSlot,
    };
  }
}
