import { Client } from 'pg';
import type { DataSource } from 'typeorm';

// Fixed key for pg_advisory_lock: two processes booting at once queue here and the second
// finds nothing left to run. The lock lives on its own connection so TypeORM's migration
// runner can take and release connections as it likes.
const MIGRATION_LOCK_KEY = 7_301_554_221;

export async function runMigrationsLocked(dataSource: DataSource, databaseUrl: string): Promise<string[]> {
  const lock = new Client({ connectionString: databaseUrl, application_name: 'labelchain-migrate-lock' });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    // Closing the session releases the lock even if unlocking fails.
    await lock.end();
  }
}
