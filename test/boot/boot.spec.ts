import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { Wallet } from 'ethers';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DataSource } from 'typeorm';
import { DEV_KEYS } from '../../src/chain/dev-chain';
import { freePort } from '../../src/common/ports';
import { migrateDatabase } from '../../src/database/migrate';
import { typeormOptions } from '../../src/database/typeorm-options';
import { withAdminClient, databaseUrl } from '../support/pg-admin';
import { startTestChain } from '../chain/test-chain';
import { siweMessage } from '../support/sign-in';
import { tempDirs } from '../support/temp-dirs';
import { createTestDatabase } from '../support/test-database';
import { TEST_REDIS_URL } from '../support/test-app';

const ROOT = join(__dirname, '..', '..');

function boot(env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60000,
  });
  return { status: result.status, stderr: result.stderr };
}

// For boots that talk to a chain in this process: spawnSync would block the chain's server.
async function bootAsync(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [status] = (await once(child, 'exit')) as [number | null];
  return { status, stderr };
}

describe('boot', () => {
  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ ROLE: 'everything' }, 'ROLE'],
    [{ CHAIN_RPC_URL: 'http://127.0.0.1:8545' }, 'CHAIN_ID'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
  ])('stops with one clear line naming the bad variable for %p', (env, variable) => {
    const { status, stderr } = boot(env);
    expect(status).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(variable);
  });

  it('stops with one line naming PAYOUT_MIN_AMOUNT when the token cannot represent it (6 decimals)', async () => {
    const chain = await startTestChain({ tokenContract: 'UsdLikeToken' });
    try {
      const { status, stderr } = await bootAsync({
        DATABASE_URL: databaseUrl('labelchain_boot_never_reached'),
        CHAIN_RPC_URL: chain.settings.rpcUrl,
        CHAIN_ID: String(chain.settings.chainId),
        TOKEN_ADDRESS: chain.settings.tokenAddress,
        VAULT_ADDRESS: chain.settings.vaultAddress,
        PAYOUT_SIGNER_KEY: chain.settings.signerKey,
        PAYOUT_MIN_AMOUNT: '0.0000001',
      });
      expect(status).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('PAYOUT_MIN_AMOUNT');
      expect(lines[0]).toContain('6 decimals');
    } finally {
      await chain.close();
    }
  });

  it('lets two processes migrate one database at once: each migration runs exactly once', async () => {
    const name = `labelchain_test_boot_${process.pid}`;
    await withAdminClient(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
      await client.query(`CREATE DATABASE ${name}`);
    });
    try {
      const url = databaseUrl(name);
      const [a, b] = await Promise.all([migrateDatabase(url), migrateDatabase(url)]);
      const ds = await new DataSource(typeormOptions(url)).initialize();
      try {
        const rows: { name: string }[] = await ds.query('SELECT name FROM migrations');
        expect(rows.length).toBeGreaterThan(0);
        expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
        expect(a.length + b.length).toBe(rows.length);
        expect(Math.min(a.length, b.length)).toBe(0);
      } finally {
        await ds.destroy();
      }
    } finally {
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  });
});

describe('boot failures outside the configuration', () => {
  const tempDir = tempDirs('lc-boot-');

  it('stops a second npm start on the same DATA_DIR with one line naming the running one', () => {
    const dataDir = tempDir();
    // The lock of a live process (this test's own): what a first `npm start` leaves while it runs.
    writeFileSync(join(dataDir, 'labelchain.pid'), `${process.pid}\n`);
    const { status, stderr } = boot({ DATA_DIR: dataDir });
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `[labelchain] another Labelchain (pid ${process.pid}) is already running with DATA_DIR=${dataDir}: stop it, or start this one with its own DATA_DIR and PORT`,
    ]);
  });

  // Only root runs PostgreSQL as another user; as anyone else the folder is theirs to use.
  (process.getuid?.() === 0 ? it : it.skip)(
    'as root, says in one line what to do when the postgres user cannot enter DATA_DIR',
    () => {
      const privateDir = tempDir(); // mkdtemp folders are 0700: a private temporary directory
      const { status, stderr } = boot({ DATA_DIR: join(privateDir, 'data') });
      expect(status).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`who cannot enter ${privateDir}`);
      expect(lines[0]).toContain('Set DATA_DIR to a folder others can enter');
    },
  );

  it('runs the dev chain on a free port when DEV_CHAIN_PORT is taken, says so, and chainInfo.rpcUrl tells clients; makes a dev ADMIN', async () => {
    const taken: Server = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const takenPort = (taken.address() as { port: number }).port;
    const db = await createTestDatabase();
    const port = await freePort();
    const dataDir = tempDir();
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        DEV_CHAIN_PORT: String(takenPort),
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: `lc_boot_${port}`,
        ROLE: 'api',
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const lines: string[] = [];
      for await (const line of createInterface({ input: child.stderr! })) {
        lines.push(line);
        if (line.includes('listening on')) break;
      }
      const moved = lines.find((l) => l.includes(`port ${takenPort} is taken`));
      expect(moved).toMatch(/the dev chain listens on \d+ instead/);
      const chainPort = Number(/listens on (\d+) instead/.exec(moved!)![1]);
      expect(chainPort).not.toBe(takenPort);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- GraphQL answers of several shapes
      type Data = Record<string, any>;
      const call = async (query: string, variables: Record<string, unknown> = {}): Promise<Data> => {
        const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables }),
        });
        return ((await res.json()) as { data: Data }).data;
      };
      expect((await call('{ chainInfo { rpcUrl } }')).chainInfo.rpcUrl).toBe(`http://127.0.0.1:${chainPort}`);

      // With no ADMIN_ADDRESSES, a dev ADMIN whose key is kept in DATA_DIR (a new random wallet,
      // not a public dev key) and named in the log.
      const keyFile = join(dataDir, 'dev-admin.key');
      const admin = new Wallet(readFileSync(keyFile, 'utf8').trim());
      expect(DEV_KEYS.map((k) => new Wallet(k).address)).not.toContain(admin.address);
      expect(lines.find((l) => l.includes('dev ADMIN'))).toContain(`dev ADMIN ${admin.address}`);
      expect((statSync(keyFile).mode & 0o777).toString(8)).toBe('600');
      const nonce = (await call('mutation($a: String!) { requestSignInNonce(address: $a) }', { a: admin.address }))
        .requestSignInNonce as string;
      const message = siweMessage({ address: admin.address, nonce });
      const signedIn = (
        await call('mutation($m: String!, $s: String!) { signIn(message: $m, signature: $s) { account { roles } } }', {
          m: message,
          s: await admin.signMessage(message),
        })
      ).signIn;
      expect(signedIn.account.roles).toEqual(['ADMIN', 'LABELER']);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      taken.close();
      await db.drop();
    }
  });
});
