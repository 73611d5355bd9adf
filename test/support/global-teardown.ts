import { withAdminClient } from './pg-admin';

// Spec files drop their own databases; this catches any left by a crashed worker.
export default async function globalTeardown(): Promise<void> {
  await withAdminClient(async (client) => {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'labelchain_test_%' AND datname <> 'labelchain_test_template'`);
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}
