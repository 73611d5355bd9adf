import 'reflect-metadata';
import { migrateDatabase } from '../../src/app.factory';
import { databaseUrl, TEMPLATE_DB, withAdminClient } from './pg-admin';

// Builds one migrated template database; every spec file clones it (CREATE DATABASE ... TEMPLATE
// takes milliseconds) so tests never share state.
export default async function globalSetup(): Promise<void> {
  await withAdminClient(async (client) => {
    await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [TEMPLATE_DB]);
    await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
    await client.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  });
  await migrateDatabase(databaseUrl(TEMPLATE_DB));
}
