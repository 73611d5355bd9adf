// One validator for every way items arrive (NDJSON lines, CSV rows, GraphQL addItems) and for
// labels against a dataset's label schema (gold labels here; answers in the tasks engine).
// Pure. Messages name the field and the rule, never the offending value: a value may be a
// gold label.
//
// Label values by kind: SINGLE_CHOICE → one of `classes`; MULTI_CHOICE → array of distinct
// `classes` (may be empty); FREE_TEXT → non-blank string; RATING → finite number in [min, max].

export type LabelKindName = 'SINGLE_CHOICE' | 'MULTI_CHOICE' | 'FREE_TEXT' | 'RATING';

export interface LabelSchemaShape {
  kind: LabelKindName;
  classes?: string[];
  min?: number;
  max?: number;
}

export const MAX_EXTERNAL_ID_LENGTH = 256;
// Free-text labels, gold and answers alike (a longer gold label could never be matched).
export const MAX_FREE_TEXT_LENGTH = 2000;
export const MAX_PAYLOAD_DEPTH = 32;

export type ItemRejectionCode =
  | 'INVALID_JSON'
  | 'INVALID_ITEM'
  | 'INVALID_EXTERNAL_ID'
  | 'INVALID_PAYLOAD'
  | 'INVALID_LABEL'
  | 'LINE_TOO_LARGE'
  | 'INVALID_CSV';

export interface ValidItem {
  externalId: string | null;
  payload: Record<string, unknown>;
  // Canonical form (MULTI_CHOICE in schema class order); null for a regular item.
  goldLabel: unknown;
  // The JSON text of the item when it can be stored verbatim ({externalId?, payload, goldLabel?}
  // already canonical), so the ingest need not serialise it again.
  source: string | null;
}

export type ItemCheck = { ok: true; item: ValidItem } | { ok: false; code: ItemRejectionCode; message: string };

const ITEM_FIELDS = new Set(['externalId', 'payload', 'goldLabel']);
// NUL and unpaired UTF-16 surrogates: valid in JSON, refused by PostgreSQL text and jsonb.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL could not store `value` as jsonb (bad characters, nesting), or null. */
export function unstorableProblem(value: unknown, what: string, depth = 0): string | null {
  if (typeof value === 'string')
    return UNSTORABLE.test(value) ? `${what} must not contain NUL characters or unpaired surrogates` : null;
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= MAX_PAYLOAD_DEPTH) return `${what} must not nest deeper than ${MAX_PAYLOAD_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (const v of value) {
      const problem = unstorableProblem(v, what, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  for (const key in value) {
    const problem =
      (UNSTORABLE.test(key) ? `${what} must not contain NUL characters or unpaired surrogates` : null) ??
      unstorableProblem((value as Record<string, unknown>)[key], what, depth + 1);
    if (problem) return problem;
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why `label` is not a valid label of `schema`, or null when it is. `what` names the field. */
export function labelProblem(schema: LabelSchemaShape, label: unknown, what = 'label'): string | null {
  switch (schema.kind) {
    case 'SINGLE_CHOICE':
      return typeof label === 'string' && (schema.classes ?? []).includes(label)
        ? null
        : `${what} must be one of the schema classes`;
    case 'MULTI_CHOICE': {
      if (!Array.isArray(label)) return `${what} must be an array of schema classes`;
      const classes = schema.classes ?? [];
      if (!label.every((c) => typeof c === 'string' && classes.includes(c)))
        return `${what} must only contain schema classes`;
      return new Set(label).size === label.length ? null : `${what} must not repeat a class`;
    }
    case 'FREE_TEXT':
      if (typeof label !== 'string' || label.trim() === '') return `${what} must be a non-blank string`;
      return label.length <= MAX_FREE_TEXT_LENGTH ? null : `${what} must be at most ${MAX_FREE_TEXT_LENGTH} characters`;
    case 'RATING':
      if (typeof label !== 'number' || !Number.isFinite(label)) return `${what} must be a number`;
      return label >= (schema.min ?? -Infinity) && label <= (schema.max ?? Infinity)
        ? null
        : `${what} must be between ${schema.min} and ${schema.max}`;
    default: {
      const unknownKind: never = schema.kind;
      return `unknown label kind ${String(unknownKind)}`;
    }
  }
}

/** The stored form of a valid label: MULTI_CHOICE sets in schema class order, others as given. */
export function canonicalLabel(schema: LabelSchemaShape, label: unknown): unknown {
  if (schema.kind !== 'MULTI_CHOICE') return label;
  const chosen = new Set(label as string[]);
  return (schema.classes ?? []).filter((c) => chosen.has(c));
}

/** Checks one item ({ externalId?, payload, goldLabel? }) already decoded from JSON. `source`
 * is the JSON text it was decoded from, if any. */
export function checkItem(schema: LabelSchemaShape, raw: unknown, source: string | null = null): ItemCheck {
  if (!isPlainObject(raw))
    return { ok: false, code: 'INVALID_ITEM', message: 'item must be a JSON object with a payload' };
  for (const key of Object.keys(raw)) {
    if (!ITEM_FIELDS.has(key))
      return {
        ok: false,
        code: 'INVALID_ITEM',
        message: `unknown field "${key.slice(0, 64)}" (expected externalId, payload, goldLabel)`,
      };
  }
  const { externalId, payload, goldLabel } = raw;
  if (externalId !== undefined && externalId !== null) {
    if (
      typeof externalId !== 'string' ||
      externalId.length === 0 ||
      externalId.length > MAX_EXTERNAL_ID_LENGTH ||
      UNSTORABLE.test(externalId)
    ) {
      return {
        ok: false,
        code: 'INVALID_EXTERNAL_ID',
        message: `externalId must be a string of 1 to ${MAX_EXTERNAL_ID_LENGTH} characters without NUL or unpaired surrogates`,
      };
    }
  }
  if (payload === undefined || payload === null)
    return { ok: false, code: 'INVALID_PAYLOAD', message: 'payload is required' };
  if (!isPlainObject(payload)) return { ok: false, code: 'INVALID_PAYLOAD', message: 'payload must be a JSON object' };
  const payloadProblem = unstorableProblem(payload, 'payload');
  if (payloadProblem) return { ok: false, code: 'INVALID_PAYLOAD', message: payloadProblem };
  let gold: unknown = null;
  let canonical = true;
  if (goldLabel !== undefined && goldLabel !== null) {
    const problem = labelProblem(schema, goldLabel, 'goldLabel') ?? unstorableProblem(goldLabel, 'goldLabel');
    if (problem) return { ok: false, code: 'INVALID_LABEL', message: problem };
    gold = canonicalLabel(schema, goldLabel);
    canonical = schema.kind !== 'MULTI_CHOICE' || (gold as string[]).every((c, i) => c === (goldLabel as string[])[i]);
  }
  return {
    ok: true,
    item: {
      externalId: (externalId as string | null | undefined) ?? null,
      payload,
      goldLabel: gold,
      source: canonical ? source : null,
    },
  };
}

/** The JSON text stored for a valid item: its source when canonical, else re-serialised. */
export function itemJson(item: ValidItem): string {
  return (
    item.source ?? JSON.stringify({ externalId: item.externalId, payload: item.payload, goldLabel: item.goldLabel })
  );
}

/** Decodes one NDJSON line and checks it. The JSON error itself is not echoed (it quotes input). */
export function checkItemLine(schema: LabelSchemaShape, line: string): ItemCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, code: 'INVALID_JSON', message: 'line is not valid JSON' };
  }
  return checkItem(schema, raw, line);
}
