import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { lockMigrations } from './advisory-locks';

export const MIGRATIONS_GLOB = join(__dirname, '..', '..', 'migrations', '*.{ts,js}');
export const MIGRATIONS_TABLE = 'migrations';

// Applies pending migrations. Entities are not loaded: migrations are plain SQL, and keeping
// model classes out lets test setup migrate without registering GraphQL types twice.
export async function migrateDatabase(databaseUrl: string): Promise<string[]> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    migrations: [MIGRATIONS_GLOB],
    migrationsTableName: MIGRATIONS_TABLE,
    extra: { max: 2 },
  });
  await dataSource.initialize();
  const lock = new Client({ connectionString: databaseUrl, application_name: 'labelchain-migrate-lock' });
  await lock.connect();
  try {
    // Two processes booting at once queue here and the second finds nothing left to run. The
    // lock lives on its own connection so TypeORM's migration runner takes connections freely.
    await lockMigrations(lock);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    // Closing the session releases the lock even if unlocking fails.
    await lock.end();
    await dataSource.destroy();
  }
}
