import { Client } from 'pg';
import { gql } from './gql';
import type { TestApp } from './test-app';

// A list's totalCount reads the whole list (src/common/pagination.ts): it may run only for a query
// that selects totalCount, and once however often that query selects it (aliases). Observed as the
// statements PostgreSQL receives during each request: a spy, every statement still runs.
const COUNT = /^\s*SELECT\s+count\(/i;

export interface ListCounts {
  /** count statements of a page that does not select totalCount */
  withoutTotal: number;
  /** count statements of a page that selects it twice (`totalCount again: totalCount`) */
  totalTwice: number;
  /** what the second page answered for totalCount and for its alias */
  totals: [number, number];
}

/**
 * `query` builds the list's query around a selection of its connection's fields; `table` names
 * the table its total counts (so no other statement, a background job's, is taken for it).
 */
export async function listCounts(
  app: TestApp,
  params: { query: (selection: string) => string; table: string; token: string; variables?: Record<string, unknown> },
): Promise<ListCounts> {
  const sent = jest.spyOn(Client.prototype, 'query');
  const countsOf = async (selection: string): Promise<{ counts: number; data: Record<string, unknown> }> => {
    sent.mockClear();
    const res = await gql(app, { query: params.query(selection), variables: params.variables, token: params.token });
    expect(res.errors).toBeUndefined();
    const texts = sent.mock.calls.map(([q]) => (typeof q === 'string' ? q : ((q as { text?: string }).text ?? '')));
    const counts = texts.filter((t) => COUNT.test(t) && new RegExp(`FROM\\s+"?${params.table}"?\\b`, 'i').test(t));
    return { counts: counts.length, data: Object.values(res.data as Record<string, Record<string, unknown>>)[0] };
  };
  try {
    const page = await countsOf('edges { cursor }');
    const counted = await countsOf('totalCount again: totalCount');
    return {
      withoutTotal: page.counts,
      totalTwice: counted.counts,
      totals: [counted.data.totalCount as number, counted.data.again as number],
    };
  } finally {
    sent.mockRestore();
  }
}
