import type { EntityManager } from 'typeorm';

// TypeORM's postgres driver answers UPDATE and DELETE (also behind a WITH) with [rows, rowCount]
// and every other statement with rows; callers here always want the rows.
export async function queryRows<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const raw: unknown = await manager.query(sql, params);
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') return raw[0] as T[];
  return raw as T[];
}
