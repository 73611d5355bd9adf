import { normaliseText } from '../consensus/free-text';

// Scores a worker's answers on the gold items of one assignment. Comparison is per label kind,
// after the same normalisation consensus uses, so "gold says X" means the same thing in both:
//   SINGLE_CHOICE  equal class (surrounding whitespace ignored)
//   MULTI_CHOICE   equal sets of classes (order and duplicates ignored)
//   FREE_TEXT      equal after NFC, trim, lower-case and whitespace collapsing
//   RATING         |answer - gold| <= tolerance (default: equal up to float rounding)
// A gold label that cannot be read for the kind (bad upload) is skipped, not held against the
// worker: it counts in neither `correct` nor `total`.

export interface GoldAnswer {
  itemId: string;
  answer: unknown;
  gold: unknown;
}

export interface GoldScore {
  correct: number;
  total: number;
}

const RATING_EPSILON = 1e-9;

export function goldMatches(params: {
  kind: string;
  answer: unknown;
  gold: unknown;
  ratingTolerance?: number;
}): boolean | null {
  const { kind, answer, gold } = params;
  switch (kind) {
    case 'SINGLE_CHOICE': {
      const g = scalarText(gold);
      return g === null ? null : scalarText(answer) === g;
    }
    case 'MULTI_CHOICE': {
      const g = classSet(gold);
      const a = classSet(answer);
      return g === null ? null : a !== null && a.size === g.size && [...g].every((c) => a.has(c));
    }
    case 'FREE_TEXT':
      if (typeof gold !== 'string') return null;
      return typeof answer === 'string' && normaliseText(answer) === normaliseText(gold);
    case 'RATING': {
      const g = ratingValue(gold);
      const a = ratingValue(answer);
      return g === null ? null : a !== null && Math.abs(a - g) <= (params.ratingTolerance ?? 0) + RATING_EPSILON;
    }
    default:
      return null;
  }
}

export function scoreGold(params: {
  kind: string;
  answers: readonly GoldAnswer[];
  ratingTolerance?: number;
}): GoldScore {
  let correct = 0;
  let total = 0;
  for (const { answer, gold } of params.answers) {
    const match = goldMatches({ kind: params.kind, answer, gold, ratingTolerance: params.ratingTolerance });
    if (match === null) continue;
    total++;
    if (match) correct++;
  }
  return { correct, total };
}

/** An assignment's gold answers with the items' gold labels as they are now (null: retired). */
export interface AssignmentGold {
  id: string;
  gold: readonly Omit<GoldAnswer, 'itemId'>[];
}

export interface AssignmentGoldScore {
  id: string;
  goldCorrect: number;
  goldTotal: number;
}

/** Each assignment's gold score, in the order given: what verdicts and gold re-scores store. */
export function scoreAssignments(kind: string, assignments: readonly AssignmentGold[]): AssignmentGoldScore[] {
  return assignments.map((a) => {
    const score = scoreGold({
      kind,
      answers: a.gold.map((g, i) => ({ itemId: String(i), answer: g.answer, gold: g.gold })),
    });
    return { id: a.id, goldCorrect: score.correct, goldTotal: score.total };
  });
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

// Gold for a multi-choice item may be a list of classes or a single class.
function classSet(value: unknown): Set<string> | null {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : null;
  if (list === null) return null;
  const texts = list.map(scalarText);
  return texts.every((t): t is string => t !== null) ? new Set(texts) : null;
}

function ratingValue(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}
