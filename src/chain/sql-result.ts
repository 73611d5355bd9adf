// TypeORM's PostgreSQL driver answers manager.query() for UPDATE and DELETE with
// [rows, rowCount] and for every other command with the rows alone. This reads both.
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
