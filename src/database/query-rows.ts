import { performance } from 'node:perf_hooks';
import type { Pool, PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { keepPlanYoung } from './plan-lifetime';

// TypeORM's PostgreSQL driver answers manager.query() for UPDATE and DELETE (also behind a WITH)
// with [rows, rowCount] and for every other command with the rows alone. This reads both.
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as T[];
  return result as T[];
}

// manager.query() for callers that always want the rows.
export async function queryRows<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return rowsOf<T>(await manager.query(sql, params));
}

// The n of a `SELECT count(*)::int AS n ...` statement.
export async function countOf(manager: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const [row] = await queryRows<{ n: number }>(manager, sql, params);
  return row.n;
}

// A statement the hot paths send many times a second, as a named prepared statement on whichever
// pooled connection runs it: parsed and planned once per connection instead of on every call.
// Outside any transaction (one statement, its own).
export async function preparedRows<T>(
  dataSource: DataSource,
  statement: { name: string; text: string },
  values: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const result = await pool.query({ name: statement.name, text: statement.text, values });
  return result.rows as T[];
}

// The same inside a transaction, on the transaction's own connection, prepared again when this
// process prepared it there PLAN_LIFETIME_MS ago (plan-lifetime.ts; `now` is a monotonic clock's,
// given by tests).
export async function preparedRowsIn<T>(
  manager: EntityManager,
  statement: { name: string; text: string },
  values: unknown[],
  now = performance.now(),
): Promise<T[]> {
  const runner = manager.queryRunner as PostgresQueryRunner | undefined;
  if (!runner?.isTransactionActive)
    throw new Error(`${statement.name}: a prepared statement of a transaction, outside one`);
  const client = (await runner.connect()) as PoolClient;
  await keepPlanYoung(client, statement.name, now);
  const result = await client.query({ name: statement.name, text: statement.text, values });
  return result.rows as T[];
}
