import { Field, Int, ObjectType, ArgsType, type FieldMiddleware } from '@nestjs/graphql';
import { Type } from '@nestjs/common';
import { badInput } from './domain-error';
import { isUuid } from './ids';

// Relay-style connections with opaque keyset cursors. A cursor encodes the sort key of the last
// row, so pages stay stable while rows are inserted.

@ObjectType()
export class PageInfo {
  @Field() hasNextPage: boolean;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

// Bounds are checked by pageSize(): no ValidationPipe runs on GraphQL args here.
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

// A list's size, or how to count it. A count reads the whole list — a worker's history, every
// payout batch — so it runs only for a query that selects totalCount (countWhenAsked); a page
// itself reads no more than a page.
export type TotalCount = number | (() => Promise<number>);

// However often a query selects it (aliases), a page's total is counted once.
function countedOnce(count: () => Promise<number>): () => Promise<number> {
  let counted: Promise<number> | null = null;
  return () => (counted ??= count());
}

const countWhenAsked: FieldMiddleware = async (_context, next) => {
  const total = (await next()) as TotalCount;
  return typeof total === 'function' ? total() : total;
};

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: TotalCount;
}

export function Connection<T>(node: Type<T>, name: string): Type<Page<T>> {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field() cursor: string;
    @Field(() => node) node: T;
  }
  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [Edge]) edges: Edge[];
    @Field(() => PageInfo) pageInfo: PageInfo;
    @Field(() => Int, { middleware: [countWhenAsked] }) totalCount: TotalCount;
  }
  return ConnectionType;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** `first` of a page request, defaulted and bounded (BAD_USER_INPUT outside 1..MAX_PAGE_SIZE). */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)
    throw badInput(`first must be an integer from 1 to ${MAX_PAGE_SIZE}`, { field: 'first' });
  return size;
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** A `<UTC timestamp>|<uuid>` keyset cursor (newest-first lists), or null for the first page. */
export function decodeTimeIdCursor(cursor: string | null | undefined): { at: string; id: string } | null {
  const key = decodeCursor(cursor ?? undefined);
  if (key === null) return null;
  const [at, id] = key.split('|');
  if (!CURSOR_TIME.test(at ?? '') || !isUuid(id ?? '')) throw badInput('Invalid pagination cursor', { field: 'after' });
  return { at, id };
}

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === null) return null;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!key || encodeCursor(key) !== cursor) throw badInput('Invalid pagination cursor');
  return key;
}

// Rows arrive ordered by key and one more than the page size, which tells whether a next page exists.
export function toPage<Row, Node>(params: {
  rows: Row[];
  first: number;
  totalCount: TotalCount;
  keyOf: (row: Row) => string;
  map: (row: Row) => Node;
}): Page<Node> {
  const { rows, first, totalCount, keyOf, map } = params;
  const pageRows = rows.slice(0, first);
  const edges = pageRows.map((row) => ({ cursor: encodeCursor(keyOf(row)), node: map(row) }));
  return {
    edges,
    totalCount: typeof totalCount === 'function' ? countedOnce(totalCount) : totalCount,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
  };
}
