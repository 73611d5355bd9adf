import { createHash } from 'node:crypto';
import { canonicalLabel, labelProblem, type LabelSchemaShape } from '../datasets/item-validation';

// Checks a submission against the assignment's item list and the dataset's label schema, and
// brings each label to one canonical form (multi-choice sets in schema order) so the stored
// value and the idempotency hash do not depend on how a client ordered things.
// Gold plays no part here: gold and regular items are validated identically, so no error can
// tell them apart.

export interface SubmittedAnswer {
  itemId: string;
  label: unknown;
}

export interface NormalisedAnswer {
  itemId: string;
  value: string | number | string[];
}

export type SubmissionCheck =
  | { ok: true; answers: NormalisedAnswer[] }
  | { ok: false; code: 'INVALID_ANSWERS' | 'INVALID_LABEL'; message: string };

const INVALID_ANSWERS = 'Submit exactly one answer for each item of the assignment, and no other';

export function checkSubmission(params: {
  itemIds: readonly string[];
  answers: readonly SubmittedAnswer[];
  schema: LabelSchemaShape;
}): SubmissionCheck {
  const { itemIds, answers, schema } = params;
  const expected = new Set(itemIds);
  const given = new Set<string>();
  for (const answer of answers) {
    if (!expected.has(answer.itemId) || given.has(answer.itemId))
      return { ok: false, code: 'INVALID_ANSWERS', message: INVALID_ANSWERS };
    given.add(answer.itemId);
  }
  if (given.size !== expected.size) return { ok: false, code: 'INVALID_ANSWERS', message: INVALID_ANSWERS };
  const normalised: NormalisedAnswer[] = [];
  for (const answer of answers) {
    const result = normaliseLabel(schema, answer.label, `Label for item ${answer.itemId}`);
    if (typeof result === 'string') return { ok: false, code: 'INVALID_LABEL', message: result };
    normalised.push({ itemId: answer.itemId, value: result.value });
  }
  return { ok: true, answers: normalised };
}

// The canonical value, or why it is not a valid label: the same rules (datasets/item-validation)
// as gold labels at upload, so any valid answer can match a gold label and vice versa.
export function normaliseLabel(
  schema: LabelSchemaShape,
  label: unknown,
  what = 'label',
): { value: string | number | string[] } | string {
  const problem = labelProblem(schema, label, what);
  return problem ?? { value: canonicalLabel(schema, label) as string | number | string[] };
}

// Deterministic over the canonical answers, whatever order they arrived in: a retried
// submission hashes the same, a different answer set does not.
export function submissionHash(answers: readonly NormalisedAnswer[]): string {
  const canonical = answers.map((a) => [a.itemId, a.value] as const).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
