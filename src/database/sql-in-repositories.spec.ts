import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// The house rule: services decide, repositories hold the SQL. Services, processors, resolvers and
// controllers run no raw query of their own.
const SRC = join(__dirname, '..');
const ROLES = /\.(service|processor|resolver|controller)\.ts$/;
// The readiness probe's `SELECT 1` asks whether PostgreSQL answers, not anything of the domain.
const ALLOWED = new Set(['health/health.controller.ts']);

describe('SQL lives in repositories', () => {
  const files = readdirSync(SRC, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      readdirSync(join(SRC, dir.name))
        .filter((name) => ROLES.test(name))
        .map((name) => `${dir.name}/${name}`),
    )
    .filter((file) => !ALLOWED.has(file));

  it('finds the services to check', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'payouts/batch-builder.service.ts',
        'chain/deposit-watcher.service.ts',
        'ledger/ledger.service.ts',
        'queues/outbox-dispatcher.service.ts',
      ]),
    );
  });

  it.each(files)('%s runs no raw SQL', (file) => {
    const source = readFileSync(join(SRC, file), 'utf8');
    expect(source.match(/\.query\(|queryRows\(/g) ?? []).toEqual([]);
  });
});
