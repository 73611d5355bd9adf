// Validation of createDataset input into the settings a dataset is stored with. Pure: plain data
// in, settings or the first problem (naming its field) out.
import type { LabelKindName, LabelSchemaShape } from './item-validation';

export type AggregationName =
  | 'MAJORITY_VOTE'
  | 'WEIGHTED_MAJORITY_VOTE'
  | 'DAWID_SKENE'
  | 'ONE_COIN_DAWID_SKENE'
  | 'LFC'
  | 'GLAD'
  | 'MACE'
  | 'IBCC'
  | 'AUTO';

/** A dataset's method when createDataset names none: the consensus default chosen by
 * leave-one-dataset-out (src/consensus/defaults.ts DEFAULT_METHOD; a test keeps them equal). */
export const DEFAULT_AGGREGATION: AggregationName = 'IBCC';

export const LIMITS = {
  nameLength: 200,
  instructionsLength: 20_000,
  classes: 1000,
  classLength: 200,
  answersPerItem: 100,
  itemsPerTask: 1000,
  goldPerTask: 100,
  leaseSeconds: { min: 30, max: 86_400, default: 600 },
  goldExposureCap: 100_000,
  appealWindowSeconds: { max: 2_592_000, default: 604_800 },
  disputeReservePercent: { max: 100, default: 10 },
} as const;

// Default cap on the workers one gold item is shown to, as a multiple of maxAnswersPerItem (the
// most workers a regular item is counted for): close enough that counting how often an item
// comes back across many wallets cannot single gold out, loose enough that a pool of a few
// percent gold covers the dataset.
export const GOLD_EXPOSURE_FACTOR = 2;

export interface DatasetSettingsInput {
  name: string;
  instructions?: string | null;
  labelSchema: { kind: string; classes?: string[] | null; min?: number | null; max?: number | null };
  answersPerItem: number;
  maxAnswersPerItem?: number | null;
  targetConfidence?: number | null;
  itemsPerTask: number;
  goldPerTask?: number | null;
  rewardPerAnswer: bigint;
  minGoldAccuracy?: number | null;
  leaseSeconds?: number | null;
  aggregation?: string | null;
  goldExposureCap?: number | null;
  reviewReward?: bigint | null;
  appealWindowSeconds?: number | null;
  disputeReservePercent?: number | null;
}

export interface DatasetSettings {
  name: string;
  instructions: string | null;
  labelSchema: LabelSchemaShape;
  answersPerItem: number;
  maxAnswersPerItem: number;
  targetConfidence: number | null;
  itemsPerTask: number;
  goldPerTask: number;
  rewardPerAnswer: bigint;
  minGoldAccuracy: number | null;
  leaseSeconds: number;
  aggregation: AggregationName;
  goldExposureCap: number;
  reviewReward: bigint;
  appealWindowSeconds: number;
  disputeReservePercent: number;
}

export type SettingsCheck = { ok: true; settings: DatasetSettings } | { ok: false; field: string; message: string };

class Problem {
  constructor(
    readonly field: string,
    readonly message: string,
  ) {}
}

const KINDS: readonly LabelKindName[] = ['SINGLE_CHOICE', 'MULTI_CHOICE', 'FREE_TEXT', 'RATING'];
const AGGREGATIONS: readonly AggregationName[] = [
  'MAJORITY_VOTE',
  'WEIGHTED_MAJORITY_VOTE',
  'DAWID_SKENE',
  'ONE_COIN_DAWID_SKENE',
  'LFC',
  'GLAD',
  'MACE',
  'IBCC',
  'AUTO',
];
const absent = (v: unknown): v is null | undefined => v === null || v === undefined;

function int(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new Problem(field, `${field} must be an integer from ${min} to ${max}`);
  return value;
}

function fraction(field: string, value: unknown, rule: { openBelow: boolean }): number | null {
  if (absent(value)) return null;
  const ok =
    typeof value === 'number' && Number.isFinite(value) && value <= 1 && (rule.openBelow ? value > 0 : value >= 0);
  if (!ok) throw new Problem(field, `${field} must be a number in ${rule.openBelow ? '(0, 1]' : '[0, 1]'}`);
  return value as number;
}

function labelSchema(input: DatasetSettingsInput['labelSchema']): LabelSchemaShape {
  const kind = input.kind as LabelKindName;
  if (!KINDS.includes(kind))
    throw new Problem('labelSchema.kind', `labelSchema.kind must be one of ${KINDS.join(', ')}`);
  const hasClasses = !absent(input.classes);
  const hasRange = !absent(input.min) || !absent(input.max);
  if (kind === 'SINGLE_CHOICE' || kind === 'MULTI_CHOICE') {
    if (hasRange) throw new Problem('labelSchema.min', `labelSchema.min and max apply to RATING only`);
    const classes = input.classes ?? [];
    if (classes.length < 2 || classes.length > LIMITS.classes)
      throw new Problem(
        'labelSchema.classes',
        `labelSchema.classes must list 2 to ${LIMITS.classes} classes for ${kind}`,
      );
    if (classes.some((c) => typeof c !== 'string' || c.trim() === '' || c.length > LIMITS.classLength))
      throw new Problem(
        'labelSchema.classes',
        `labelSchema.classes must be non-blank strings of at most ${LIMITS.classLength} characters`,
      );
    if (new Set(classes).size !== classes.length)
      throw new Problem('labelSchema.classes', 'labelSchema.classes must be unique');
    return { kind, classes: [...classes] };
  }
  if (hasClasses) throw new Problem('labelSchema.classes', `labelSchema.classes must be omitted for ${kind}`);
  if (kind === 'FREE_TEXT') {
    if (hasRange) throw new Problem('labelSchema.min', 'labelSchema.min and max apply to RATING only');
    return { kind };
  }
  const { min, max } = input;
  if (typeof min !== 'number' || !Number.isFinite(min))
    throw new Problem('labelSchema.min', 'labelSchema.min is required for RATING and must be a finite number');
  if (typeof max !== 'number' || !Number.isFinite(max))
    throw new Problem('labelSchema.max', 'labelSchema.max is required for RATING and must be a finite number');
  if (!(min < max)) throw new Problem('labelSchema.max', 'labelSchema.max must be greater than labelSchema.min');
  return { kind, min, max };
}

function settingsOf(input: DatasetSettingsInput): DatasetSettings {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length < 1 || name.length > LIMITS.nameLength)
    throw new Problem('name', `name must be 1 to ${LIMITS.nameLength} characters`);
  const instructions = absent(input.instructions) || input.instructions.trim() === '' ? null : input.instructions;
  if (instructions !== null && instructions.length > LIMITS.instructionsLength)
    throw new Problem('instructions', `instructions must be at most ${LIMITS.instructionsLength} characters`);
  const schema = labelSchema(input.labelSchema ?? { kind: '' });
  const answersPerItem = int('answersPerItem', input.answersPerItem, 1, LIMITS.answersPerItem);
  const maxAnswersPerItem = absent(input.maxAnswersPerItem)
    ? answersPerItem
    : int('maxAnswersPerItem', input.maxAnswersPerItem, answersPerItem, LIMITS.answersPerItem);
  const targetConfidence = fraction('targetConfidence', input.targetConfidence, { openBelow: true });
  const itemsPerTask = int('itemsPerTask', input.itemsPerTask, 1, LIMITS.itemsPerTask);
  const goldPerTask = absent(input.goldPerTask) ? 0 : int('goldPerTask', input.goldPerTask, 0, LIMITS.goldPerTask);
  if (typeof input.rewardPerAnswer !== 'bigint' || input.rewardPerAnswer <= 0n)
    throw new Problem('rewardPerAnswer', 'rewardPerAnswer must be greater than 0');
  const minGoldAccuracy = fraction('minGoldAccuracy', input.minGoldAccuracy, { openBelow: false });
  const { min, max, default: defaultLease } = LIMITS.leaseSeconds;
  const leaseSeconds = absent(input.leaseSeconds) ? defaultLease : int('leaseSeconds', input.leaseSeconds, min, max);
  const aggregation = (input.aggregation ?? DEFAULT_AGGREGATION) as AggregationName;
  if (!AGGREGATIONS.includes(aggregation))
    throw new Problem('aggregation', `aggregation must be one of ${AGGREGATIONS.join(', ')}`);
  const goldExposureCap = absent(input.goldExposureCap)
    ? GOLD_EXPOSURE_FACTOR * maxAnswersPerItem
    : int('goldExposureCap', input.goldExposureCap, 1, LIMITS.goldExposureCap);
  const reviewReward = absent(input.reviewReward) ? 0n : input.reviewReward;
  if (typeof reviewReward !== 'bigint' || reviewReward < 0n)
    throw new Problem('reviewReward', 'reviewReward must not be negative');
  const appealWindowSeconds = absent(input.appealWindowSeconds)
    ? LIMITS.appealWindowSeconds.default
    : int('appealWindowSeconds', input.appealWindowSeconds, 0, LIMITS.appealWindowSeconds.max);
  const disputeReservePercent = absent(input.disputeReservePercent)
    ? LIMITS.disputeReservePercent.default
    : int('disputeReservePercent', input.disputeReservePercent, 0, LIMITS.disputeReservePercent.max);
  // Review rewards are paid from the reserve only: without one, no case could ever be resolved.
  if (reviewReward > 0n && disputeReservePercent === 0)
    throw new Problem(
      'disputeReservePercent',
      'disputeReservePercent must be above 0 when reviewReward is set (review rewards are paid from the dispute reserve)',
    );
  return {
    name,
    instructions,
    labelSchema: schema,
    answersPerItem,
    maxAnswersPerItem,
    targetConfidence,
    itemsPerTask,
    goldPerTask,
    rewardPerAnswer: input.rewardPerAnswer,
    minGoldAccuracy,
    leaseSeconds,
    aggregation,
    goldExposureCap,
    reviewReward,
    appealWindowSeconds,
    disputeReservePercent,
  };
}

export function checkDatasetSettings(input: DatasetSettingsInput): SettingsCheck {
  try {
    return { ok: true, settings: settingsOf(input) };
  } catch (error) {
    if (error instanceof Problem) return { ok: false, field: error.field, message: error.message };
    throw error;
  }
}
