import { canSeeAssignmentId, type Viewer } from './dispute-access';
import { casePseudonyms } from './case-pseudonyms';
import { exposedStatus, type DisputeRow } from './dispute-row';
import type { CaseContent } from './disputes.repository';
import { DisputeKind, type GoldVerdict } from './dispute-status';
import { CaseAnswerModel, CaseItemModel, DisputeCaseModel, DisputeModel } from './dispute.model';

// Explicit mappers from rows to GraphQL objects: the only place deciding what of a case leaves
// the service. Worker ids become per-case pseudonyms here and go no further.

export function disputeModel(row: DisputeRow, viewer: Viewer, now: Date): DisputeModel {
  return Object.assign(new DisputeModel(), {
    id: row.id,
    kind: row.kind,
    status: exposedStatus(row, now),
    datasetId: row.datasetId,
    itemId: row.kind === DisputeKind.APPEAL ? null : row.itemId,
    assignmentId: row.assignmentId !== null && canSeeAssignmentId(viewer, row) ? row.assignmentId : null,
    reason: row.reason,
    createdAt: row.createdAt,
    leaseExpiresAt: exposedStatus(row, now) === 'IN_REVIEW' ? row.leaseExpiresAt : null,
    resolvedAt: row.resolvedAt,
    outcome: row.outcome,
    note: row.note,
  });
}

export function caseModel(params: {
  dispute: DisputeRow;
  content: CaseContent;
  viewer: Viewer;
  secret: string;
  now: Date;
}): DisputeCaseModel {
  const { dispute, content } = params;
  const showsGold = dispute.kind === DisputeKind.APPEAL || dispute.kind === DisputeKind.GOLD_CONTEST;
  const names = casePseudonyms({
    secret: params.secret,
    disputeId: dispute.id,
    workerIds: content.items.flatMap((i) => i.answers.map((a) => a.workerId)),
  });
  const appellant = dispute.kind === DisputeKind.APPEAL ? dispute.raisedBy : null;
  return Object.assign(new DisputeCaseModel(), {
    dispute: disputeModel(dispute, params.viewer, params.now),
    instructions: content.instructions,
    labelSchema: content.labelSchema,
    items: content.items.map((item) =>
      Object.assign(new CaseItemModel(), {
        itemId: item.itemId,
        payload: item.payload,
        gold: showsGold && item.gold,
        referenceLabel: showsGold && item.gold ? item.goldLabel : item.consensusLabel,
        confidence: showsGold && item.gold ? null : item.confidence,
        retired: showsGold && item.gold && item.retired,
        verdictGiven: showsGold ? ((item.verdictGiven as GoldVerdict | null) ?? null) : null,
        answers: item.answers.map((a) =>
          Object.assign(new CaseAnswerModel(), {
            worker: names.get(a.workerId) as string,
            label: a.label,
            workerAccuracy: a.workerAccuracy,
            appellant: a.workerId === appellant,
            counted: a.counted,
          }),
        ),
      }),
    ),
  });
}
