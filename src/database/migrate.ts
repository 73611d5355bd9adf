import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

export const MIGRATIONS_GLOB = join(__dirname, '..', '..', 'migrations', '*.{ts,js}');
export const MIGRATIONS_TABLE = 'migrations';

// Fixed key for pg_advisory_lock: two processes booting at once queue here and the second
// finds nothing left to run. The lock lives on its own connection so TypeORM's migration
// runner can take and release connections as it likes.
const MIGRATION_LOCK_KEY = 7_301_554_221;

// Applies pending migrations. Entities are not loaded: migrations are plain SQL, and keeping
// model classes out lets test setup migrate without registering GraphQL types twice.
export async function migrateDatabase(databaseUrl: string): Promise<string[]> {
  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl, migrations: [MIGRATIONS_GLOB], migrationsTableName: MIGRATIONS_TABLE, extra: { max: 2 } });
  await dataSource.initialize();
  const lock = new Client({ connectionString: databaseUrl, application_name: 'labelchain-migrate-lock' });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    // Closing the session releases the lock even if unlocking fails.
    await lock.end();
    await dataSource.destroy();
  }
}
