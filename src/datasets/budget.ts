// What publishing a dataset must reserve (dataset.committed), in token base units. Pure bigint
// arithmetic; every answer, regular or gold, is paid rewardPerAnswer.
//
//   tasks               = ceil(regularItems / itemsPerTask)
//   regular answers     = regularItems × answersPerItem
//   gold answers        = tasks × answersPerItem × goldPerTask      (each assignment carries goldPerTask gold)
//   headroom answers    = regularItems × (maxAnswersPerItem − answersPerItem)   (dynamic overlap, worst case
//                         every item is topped up to the ceiling)
//   headroom gold       = tasks × (maxAnswersPerItem − answersPerItem) × goldPerTask
//                         (top-up assignments are assumed to be cut itemsPerTask items at a time, like the
//                         first split; the tasks engine must not start a top-up that no longer fits in
//                         what is still committed)
//   required            = (all of the above) × rewardPerAnswer
//                       = rewardPerAnswer × maxAnswersPerItem × (regularItems + tasks × goldPerTask)

export interface BudgetInput {
  regularItems: number;
  answersPerItem: number;
  maxAnswersPerItem: number;
  itemsPerTask: number;
  goldPerTask: number;
  rewardPerAnswer: bigint;
}

export interface BudgetBreakdown {
  tasks: bigint;
  assignments: bigint;
  regularAnswers: bigint;
  goldAnswers: bigint;
  headroomAnswers: bigint;
  headroomGoldAnswers: bigint;
  totalAnswers: bigint;
  required: bigint;
}

function wholeNumber(name: string, value: number, min: number): bigint {
  if (!Number.isSafeInteger(value) || value < min)
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  return BigInt(value);
}

export function requiredBudget(input: BudgetInput): BudgetBreakdown {
  const items = wholeNumber('regularItems', input.regularItems, 0);
  const perItem = wholeNumber('answersPerItem', input.answersPerItem, 1);
  const ceiling = wholeNumber('maxAnswersPerItem', input.maxAnswersPerItem, input.answersPerItem);
  const perTask = wholeNumber('itemsPerTask', input.itemsPerTask, 1);
  const gold = wholeNumber('goldPerTask', input.goldPerTask, 0);
  if (input.rewardPerAnswer < 0n) throw new RangeError('rewardPerAnswer must not be negative');

  const tasks = (items + perTask - 1n) / perTask;
  const extra = ceiling - perItem;
  const regularAnswers = items * perItem;
  const goldAnswers = tasks * perItem * gold;
  const headroomAnswers = items * extra;
  const headroomGoldAnswers = tasks * extra * gold;
  const totalAnswers = regularAnswers + goldAnswers + headroomAnswers + headroomGoldAnswers;
  return {
    tasks,
    assignments: tasks * perItem,
    regularAnswers,
    goldAnswers,
    headroomAnswers,
    headroomGoldAnswers,
    totalAnswers,
    required: totalAnswers * input.rewardPerAnswer,
  };
}

// What is free for a new commitment: budget − spent − committed (never below zero).
export function availableBudget(funding: { budget: bigint; committed: bigint; spent: bigint }): bigint {
  const free = funding.budget - funding.spent - funding.committed;
  return free > 0n ? free : 0n;
}

// The dispute reserve committed at publish on top of the labeling cost: `percent` % of it,
// rounded down to the base unit. Retroactive acceptances (upheld appeals, gold re-scores) and
// review rewards are paid from it, never from the labeling commitment or from other datasets.
export function disputeReserveOf(params: { labelingCost: bigint; percent: number }): bigint {
  if (!Number.isInteger(params.percent) || params.percent < 0)
    throw new RangeError(`percent must be a whole number >= 0, got ${params.percent}`);
  return (params.labelingCost * BigInt(params.percent)) / 100n;
}
