import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { migrateDatabase } from '../../src/database/migrate';
import { typeormOptions } from '../../src/database/typeorm-options';
import { withAdminClient, databaseUrl } from '../support/pg-admin';
import { startTestChain } from '../chain/test-chain';

const ROOT = join(__dirname, '..', '..');

function boot(env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60000 });
  return { status: result.status, stderr: result.stderr };
}

// For boots that talk to a chain in this process: spawnSync would block the chain's server.
async function bootAsync(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
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
