import { gql } from './gql';
import type { TestApp } from './test-app';

export interface WalkedPage {
  totalCount: number;
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  edges: { cursor: string; node: { id: string; status?: string } }[];
}

/**
 * Follows a connection from its first page to its last (`$a` is the query's `after` variable) and
 * checks every edge's cursor on the way: `<the row's created_at to the microsecond>|<id>`, read
 * from `table`. A cursor cut to milliseconds would skip the rows of the same millisecond.
 */
export async function walkPages(
  app: TestApp,
  params: { query: string; field: string; token: string; table: string; variables?: Record<string, unknown> },
): Promise<WalkedPage[]> {
  const pages: WalkedPage[] = [];
  let after: string | null = null;
  do {
    const res = await gql(app, {
      query: params.query,
      variables: { ...params.variables, a: after },
      token: params.token,
    });
    expect(res.errors).toBeUndefined();
    const page = res.data![params.field] as WalkedPage;
    for (const edge of page.edges) {
      const [at, id] = Buffer.from(edge.cursor, 'base64url').toString('utf8').split('|');
      const [row] = (await app.dataSource.query(
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM ${params.table} WHERE id = $1`,
        [edge.node.id],
      )) as { at: string }[];
      expect({ id, at }).toEqual({ id: edge.node.id, at: row.at });
    }
    pages.push(page);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return pages;
}
