// CSV rows → items. Pure. The header row names the columns; `external_id` and `gold_label` are
// special and every other column becomes a payload field (values stay strings: CSV has no types).
// gold_label by kind: SINGLE_CHOICE / FREE_TEXT → the cell text; RATING → the cell as a number;
// MULTI_CHOICE → a JSON array (`["a","b"]`) or classes joined by `|` (`a|b`). An empty cell (or
// no gold_label column) makes a regular item; an empty external_id cell means no external id.
import { checkItem, type ItemCheck, type LabelSchemaShape } from './item-validation';

export const EXTERNAL_ID_COLUMN = 'external_id';
export const GOLD_LABEL_COLUMN = 'gold_label';

export interface CsvHeader {
  externalId: number;
  goldLabel: number;
  payload: { index: number; name: string }[];
  width: number;
}

export type HeaderCheck = { ok: true; header: CsvHeader } | { ok: false; message: string };

export function readCsvHeader(cells: string[]): HeaderCheck {
  const names = cells.map((c) => c.trim());
  const blank = names.findIndex((n) => n === '');
  if (blank !== -1) return { ok: false, message: `CSV header column ${blank + 1} has no name` };
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return { ok: false, message: `CSV header names column "${name.slice(0, 64)}" twice` };
    seen.add(name);
  }
  const payload = names.flatMap((name, index) =>
    name === EXTERNAL_ID_COLUMN || name === GOLD_LABEL_COLUMN ? [] : [{ index, name }],
  );
  if (payload.length === 0)
    return {
      ok: false,
      message: `CSV header needs at least one payload column besides ${EXTERNAL_ID_COLUMN} and ${GOLD_LABEL_COLUMN}`,
    };
  return {
    ok: true,
    header: {
      externalId: names.indexOf(EXTERNAL_ID_COLUMN),
      goldLabel: names.indexOf(GOLD_LABEL_COLUMN),
      payload,
      width: names.length,
    },
  };
}

function goldFromCell(schema: LabelSchemaShape, cell: string): { ok: true; value: unknown } | { ok: false } {
  switch (schema.kind) {
    case 'RATING': {
      const trimmed = cell.trim();
      const n = Number(trimmed);
      return { ok: true, value: Number.isFinite(n) && trimmed !== '' ? n : cell };
    }
    case 'MULTI_CHOICE':
      if (cell.trimStart().startsWith('[')) {
        try {
          return { ok: true, value: JSON.parse(cell) };
        } catch {
          return { ok: false };
        }
      }
      return { ok: true, value: cell.split('|') };
    default:
      return { ok: true, value: cell };
  }
}

export function csvRowToItem(schema: LabelSchemaShape, header: CsvHeader, cells: string[]): ItemCheck {
  if (cells.length !== header.width)
    return {
      ok: false,
      code: 'INVALID_CSV',
      message: `row has ${cells.length} columns, the header has ${header.width}`,
    };
  const payload: Record<string, string> = {};
  for (const { index, name } of header.payload) payload[name] = cells[index];
  const externalId = header.externalId === -1 || cells[header.externalId] === '' ? undefined : cells[header.externalId];
  const goldCell = header.goldLabel === -1 ? '' : cells[header.goldLabel];
  let goldLabel: unknown;
  if (goldCell !== '') {
    const gold = goldFromCell(schema, goldCell);
    if (!gold.ok)
      return {
        ok: false,
        code: 'INVALID_LABEL',
        message: 'gold_label must be a JSON array of classes or classes separated by |',
      };
    goldLabel = gold.value;
  }
  return checkItem(schema, { externalId, payload, goldLabel });
}
