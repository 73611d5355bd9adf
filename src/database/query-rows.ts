import type { EntityManager } from 'typeorm';

// TypeORM's PostgreSQL driver answers manager.query() for UPDATE and DELETE (also behind a WITH)
// with [rows, rowCount] and for every other command with the rows alone. This reads both.
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

// manager.query() for callers that always want the rows.
export async function queryRows<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return rowsOf<T>(await manager.query(sql, params));
}
