import { templateDb, testDbPrefix, withAdminClient } from './pg-admin';

// Spec files drop their own databases; this catches any a crashed worker left, and the
// template, for this run only.
export default async function globalTeardown(): Promise<void> {
  await withAdminClient(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR datname = $2`,
      [testDbPrefix(), templateDb()],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}
