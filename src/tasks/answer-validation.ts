import { createHash } from 'node:crypto';

// Checks a submission against the assignment's item list and the dataset's label schema, and
// brings each label to one canonical form (multi-choice sets in schema order) so the stored
// value and the idempotency hash do not depend on how a client ordered things.
// Gold plays no part here: gold and regular items are validated identically, so no error can
// tell them apart.

export interface LabelSchemaLike {
  kind: string;
  classes?: string[];
  min?: number;
  max?: number;
}

export interface SubmittedAnswer {
  itemId: string;
  label: unknown;
}

export interface NormalisedAnswer {
  itemId: string;
  value: string | number | string[];
}

export type SubmissionCheck = { ok: true; answers: NormalisedAnswer[] } | { ok: false; code: 'INVALID_ANSWERS' | 'INVALID_LABEL'; message: string };

export const MAX_FREE_TEXT_LENGTH = 2000;

const INVALID_ANSWERS = 'Submit exactly one answer for each item of the assignment, and no other';

export function checkSubmission(params: { itemIds: readonly string[]; answers: readonly SubmittedAnswer[]; schema: LabelSchemaLike }): SubmissionCheck {
  const { itemIds, answers, schema } = params;
  const expected = new Set(itemIds);
  const given = new Set<string>();
  for (const answer of answers) {
    if (!expected.has(answer.itemId) || given.has(answer.itemId)) return { ok: false, code: 'INVALID_ANSWERS', message: INVALID_ANSWERS };
    given.add(answer.itemId);
  }
  if (given.size !== expected.size) return { ok: false, code: 'INVALID_ANSWERS', message: INVALID_ANSWERS };
  const normalised: NormalisedAnswer[] = [];
  for (const answer of answers) {
    const result = normaliseLabel(schema, answer.label);
    if (typeof result === 'string') return { ok: false, code: 'INVALID_LABEL', message: `Label for item ${answer.itemId} ${result}` };
    normalised.push({ itemId: answer.itemId, value: result.value });
  }
  return { ok: true, answers: normalised };
}

// Returns the canonical value, or the reason (a sentence fragment) it is not a valid label.
export function normaliseLabel(schema: LabelSchemaLike, label: unknown): { value: string | number | string[] } | string {
  const classes = schema.classes ?? [];
  switch (schema.kind) {
    case 'SINGLE_CHOICE':
      return typeof label === 'string' && classes.includes(label) ? { value: label } : 'must be one of the classes';
    case 'MULTI_CHOICE': {
      if (!Array.isArray(label) || !label.every((c) => typeof c === 'string' && classes.includes(c))) return 'must be a list of classes';
      if (new Set(label).size !== label.length) return 'must not repeat a class';
      return { value: classes.filter((c) => label.includes(c)) };
    }
    case 'FREE_TEXT':
      if (typeof label !== 'string' || label.trim() === '') return 'must be a non-empty string';
      return label.length <= MAX_FREE_TEXT_LENGTH ? { value: label } : `must be at most ${MAX_FREE_TEXT_LENGTH} characters`;
    case 'RATING': {
      if (typeof label !== 'number' || !Number.isFinite(label)) return 'must be a number';
      const min = schema.min ?? -Infinity;
      const max = schema.max ?? Infinity;
      return label >= min && label <= max ? { value: label } : `must be between ${schema.min} and ${schema.max}`;
    }
    default:
      return 'cannot be checked: the dataset has an unknown label kind';
  }
}

// Deterministic over the canonical answers, whatever order they arrived in: a retried
// submission hashes the same, a different answer set does not.
export function submissionHash(answers: readonly NormalisedAnswer[]): string {
  const canonical = answers
    .map((a) => [a.itemId, a.value] as const)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
