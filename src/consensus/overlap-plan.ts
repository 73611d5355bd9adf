import { decideOverlap } from './dynamic-overlap';

// Turns per-item overlap decisions into work: which items are final, which go to review as
// LOW_AGREEMENT, and which get one more answer through a top-up task, within the money still
// committed to the dataset. Unsure items (below targetConfidence) and tied ones take the same path.
//
// - One more answer at a time: a top-up task has ONE slot and raises each of its items'
//   answers_wanted to answers + 1 <= maxAnswersPerItem. A slot yields at most one accepted
//   assignment, so no item can collect more than maxAnswersPerItem accepted answers (invariant 2).
// - Items are grouped by the exact set of workers who already answered them before being cut
//   into tasks of up to itemsPerTask: a worker who answered any item of a task cannot claim it
//   (invariant 1), so mixing items answered by different people would shrink the pool of
//   workers able to take the task, and could leave it unclaimable in a small crowd.
// - A task costs (items + goldPerTask) x rewardPerAnswer, gold answers being paid too. Tasks
//   are funded in order while the headroom lasts; an item whose task cannot be funded is
//   `unfunded` (the caller sends it to review, like LOW_AGREEMENT).

export interface OverlapCandidate {
  itemId: string;
  /** Accepted answers the item has (the ones its confidence was computed from). */
  answers: number;
  confidence: number;
  /** Its consensus is a tie (CollectedResults.tied); absent = not tied. */
  tied?: boolean;
  /** Identifies the set of workers who answered it (equal sets, equal keys). */
  workerKey: string;
}

export interface OverlapPlanInput {
  candidates: readonly OverlapCandidate[];
  answersPerItem: number;
  maxAnswersPerItem: number;
  targetConfidence: number | null;
  itemsPerTask: number;
  goldPerTask: number;
  rewardPerAnswer: bigint;
  /** Committed money not needed by the answers still outstanding on existing tasks. */
  headroom: bigint;
  /** What to do with an item that needs more answers: buy them ('top-up', open or paused
   * datasets), send it to review because no more can be bought ('review', e.g. a completed
   * dataset whose commitment was released), or leave it as it is ('wait'). */
  whenMoreNeeded: 'top-up' | 'review' | 'wait';
}

export interface TopUpTask {
  itemIds: string[];
  /** New answers_wanted per item, same order as itemIds. */
  answersWanted: number[];
}

export interface OverlapPlan {
  done: string[];
  lowAgreement: string[];
  unfunded: string[];
  waiting: string[];
  topUps: TopUpTask[];
  /** Worst-case cost of the top-up tasks (what they may draw from `committed`). */
  cost: bigint;
}

export function planOverlap(input: OverlapPlanInput): OverlapPlan {
  if (!Number.isInteger(input.itemsPerTask) || input.itemsPerTask < 1)
    throw new RangeError('itemsPerTask must be an integer >= 1');
  const plan: OverlapPlan = { done: [], lowAgreement: [], unfunded: [], waiting: [], topUps: [], cost: 0n };
  const groups = new Map<string, OverlapCandidate[]>();
  for (const candidate of input.candidates) {
    const decision = decideOverlap({
      answers: candidate.answers,
      confidence: candidate.confidence,
      answersPerItem: input.answersPerItem,
      maxAnswersPerItem: input.maxAnswersPerItem,
      targetConfidence: input.targetConfidence,
      tied: candidate.tied,
    });
    if (decision === 'DONE') plan.done.push(candidate.itemId);
    else if (decision === 'LOW_AGREEMENT') plan.lowAgreement.push(candidate.itemId);
    else if (input.whenMoreNeeded === 'wait' || candidate.answers < input.answersPerItem)
      plan.waiting.push(candidate.itemId);
    else if (input.whenMoreNeeded === 'review') plan.unfunded.push(candidate.itemId);
    else {
      const group = groups.get(candidate.workerKey);
      if (group) group.push(candidate);
      else groups.set(candidate.workerKey, [candidate]);
    }
  }
  let remaining = input.headroom;
  for (const group of groups.values()) {
    for (let from = 0; from < group.length; from += input.itemsPerTask) {
      const chunk = group.slice(from, from + input.itemsPerTask);
      const cost = BigInt(chunk.length + input.goldPerTask) * input.rewardPerAnswer;
      if (cost > remaining) {
        plan.unfunded.push(...chunk.map((c) => c.itemId));
        continue;
      }
      remaining -= cost;
      plan.cost += cost;
      plan.topUps.push({ itemIds: chunk.map((c) => c.itemId), answersWanted: chunk.map((c) => c.answers + 1) });
    }
  }
  return plan;
}

/** Worker-set key per item for the items in `wanted`: the sorted worker indices of its answers. */
export function workerSetKeys(params: {
  itemIndex: Int32Array;
  workerIndex: Int32Array;
  wanted: ReadonlySet<number>;
}): Map<number, string> {
  const workers = new Map<number, number[]>();
  for (let a = 0; a < params.itemIndex.length; a++) {
    const i = params.itemIndex[a];
    if (!params.wanted.has(i)) continue;
    const list = workers.get(i);
    if (list) list.push(params.workerIndex[a]);
    else workers.set(i, [params.workerIndex[a]]);
  }
  const keys = new Map<number, string>();
  for (const [i, list] of workers) keys.set(i, list.sort((x, y) => x - y).join(','));
  return keys;
}
