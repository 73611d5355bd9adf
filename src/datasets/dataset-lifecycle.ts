// The dataset status machine. Pure: plain strings in, a decision out. Services apply a transition
// with one conditional UPDATE ... WHERE status = ANY(from), so two racing calls cannot both win.
//
//   DRAFT --publish--> OPEN --pause--> PAUSED --resume--> OPEN
//   DRAFT | OPEN | PAUSED --cancel--> CANCELLED
//   OPEN | PAUSED --complete (system, all regular items labeled)--> COMPLETED

export type DatasetState = 'DRAFT' | 'OPEN' | 'PAUSED' | 'COMPLETED' | 'CANCELLED';
export type DatasetAction = 'publish' | 'pause' | 'resume' | 'cancel' | 'complete';

export interface TransitionRule {
  readonly from: readonly DatasetState[];
  readonly to: DatasetState;
}

export const DATASET_TRANSITIONS: Readonly<Record<DatasetAction, TransitionRule>> = {
  publish: { from: ['DRAFT'], to: 'OPEN' },
  pause: { from: ['OPEN'], to: 'PAUSED' },
  resume: { from: ['PAUSED'], to: 'OPEN' },
  cancel: { from: ['DRAFT', 'OPEN', 'PAUSED'], to: 'CANCELLED' },
  complete: { from: ['OPEN', 'PAUSED'], to: 'COMPLETED' },
};

export type TransitionDecision = { ok: true; to: DatasetState } | { ok: false; message: string };

export function decideTransition(action: DatasetAction, current: DatasetState): TransitionDecision {
  const rule = DATASET_TRANSITIONS[action];
  if (rule.from.includes(current)) return { ok: true, to: rule.to };
  return { ok: false, message: `Cannot ${action} a dataset that is ${current} (allowed from ${rule.from.join(', ')})` };
}

/**
 * Who asks whether a dataset is complete: a verdict that filled a task, consensus after it settled
 * items, or review (a dispute resolution or a gold re-score) after it decided some.
 */
export type CompletionAsker = 'verdict' | 'consensus' | 'review';

/**
 * Whether only consensus (or review) may say a dataset's items are settled, an accepting verdict
 * never: with dynamic overlap or a target confidence consensus may buy an item more answers, and
 * on SINGLE_CHOICE data it sends a tied item to review (LOW_AGREEMENT) even at fixed overlap
 * (consensus/ties.ts; the other kinds never report ties).
 */
export function consensusDecides(dataset: {
  answersPerItem: number;
  maxAnswersPerItem: number;
  targetConfidence: number | null;
  labelKind: string;
}): boolean {
  return (
    dataset.maxAnswersPerItem > dataset.answersPerItem ||
    dataset.targetConfidence !== null ||
    dataset.labelKind === 'SINGLE_CHOICE'
  );
}

/**
 * THE completion decision; DatasetLifecycleService.markCompletedIfDone applies it, and every
 * trigger (an accepting verdict that filled its task, a consensus run that settled items, a
 * dispute decision) goes through that one method. A dataset completes when it is OPEN or PAUSED,
 * every regular item (at least one) is settled: LABELED or RESOLVED, and no dispute about it is
 * open. An accepting verdict marks an item LABELED as soon as its wanted answers are in, but where
 * consensusDecides (dynamic overlap, a target confidence, or single-choice labels that may tie)
 * consensus may still buy it another answer or send it to review (LOW_AGREEMENT): then only
 * consensus or review, having decided, can say items are settled.
 */
export function completionDue(params: {
  status: DatasetState;
  regularItems: number;
  settledRegularItems: number;
  consensusDecides: boolean;
  openDisputes: boolean;
  askedBy: CompletionAsker;
}): boolean {
  if (!DATASET_TRANSITIONS.complete.from.includes(params.status)) return false;
  if (params.consensusDecides && params.askedBy === 'verdict') return false;
  if (params.openDisputes) return false;
  return params.regularItems >= 1 && params.settledRegularItems >= params.regularItems;
}

// Items are only added before publishing: the budget and the task split are computed from the
// item set at publish time.
export function acceptsItems(current: DatasetState): boolean {
  return current === 'DRAFT';
}

// Who may look at a dataset they do not own: any signed-in account while it is OPEN or PAUSED.
export function isPubliclyVisible(current: DatasetState): boolean {
  return current === 'OPEN' || current === 'PAUSED';
}
