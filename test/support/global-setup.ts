import { migrateDatabase } from '../../src/database/migrate';
import { databaseUrl, templateDb, withAdminClient } from './pg-admin';

// Builds one migrated template database for this run; every spec file clones it
// (CREATE DATABASE ... TEMPLATE takes milliseconds) so tests never share state.
// Only migrations are loaded here, no app code: in-band runs share this module registry's
// globals with the tests.
export default async function globalSetup(): Promise<void> {
  process.env.LABELCHAIN_TEST_RUN = String(process.pid);
  const template = templateDb();
  await withAdminClient(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${template}`);
  });
  await migrateDatabase(databaseUrl(template));
}
