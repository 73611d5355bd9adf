import { Client } from 'pg';

// Forcing an interleaving instead of hoping for it: the test holds a PostgreSQL lock that the
// code under test needs at a known statement, waits until that statement is seen waiting for it
// (pg_stat_activity, the server's own state: no sleep decides anything), lets the other party
// run, then releases the lock.

export interface HeldLock {
  release(): Promise<void>;
}

async function holding(databaseUrl: string, statements: { sql: string; params?: unknown[] }[]): Promise<HeldLock> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'test-interleave' });
  await client.connect();
  await client.query('BEGIN');
  for (const s of statements) await client.query(s.sql, s.params);
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** SHARE mode: reads go on, the first INSERT / UPDATE / DELETE on the table waits. */
export function holdTableForWrites(databaseUrl: string, table: string): Promise<HeldLock> {
  return holding(databaseUrl, [{ sql: `LOCK TABLE ${table} IN SHARE MODE` }]);
}

/** FOR UPDATE on the rows a query selects: anyone locking or updating them waits. */
export function holdRows(databaseUrl: string, sql: string, params: unknown[]): Promise<HeldLock> {
  return holding(databaseUrl, [{ sql: `${sql} FOR UPDATE`, params }]);
}

/** The transaction-scoped advisory lock on (key1, key2) that SQL functions take with pg_advisory_xact_lock. */
export function holdAdvisoryLock(databaseUrl: string, key1: number, key2: number): Promise<HeldLock> {
  return holding(databaseUrl, [{ sql: 'SELECT pg_advisory_xact_lock($1::int, $2::int)', params: [key1, key2] }]);
}

/**
 * Resolves once `sessions` sessions of this database (one by default) wait for a lock in a
 * statement matching `statement` (ILIKE).
 */
export async function lockWaitSeen(
  databaseUrl: string,
  statement: string,
  timeoutMs = 20_000,
  sessions = 1,
): Promise<void> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'test-interleave-watch' });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name <> 'test-interleave' AND query ILIKE $1`,
        [statement],
      );
      if (rows.length >= sessions) return;
      if (Date.now() > deadline)
        throw new Error(
          `fewer than ${sessions} sessions waited for a lock in a statement like ${statement} within ${timeoutMs} ms`,
        );
      await client.query('SELECT pg_sleep(0.02)');
    }
  } finally {
    await client.end();
  }
}
