import { Client } from 'pg';

// Administrative connection to the test PostgreSQL server (127.0.0.1:5432, trust auth unless
// TEST_PG_URL says otherwise).
export const TEST_PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// Names are scoped to one jest run (global setup sets the run id, workers inherit it), so two
// runs on one machine never drop each other's databases.
export function runId(): string {
  return process.env.LABELCHAIN_TEST_RUN ?? String(process.pid);
}

export function templateDb(): string {
  return `labelchain_tpl_${runId()}`;
}

export function testDbPrefix(): string {
  return `labelchain_test_${runId()}_`;
}

export function databaseUrl(name: string): string {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
