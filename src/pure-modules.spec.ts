import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The house rule (docs/contributing.md): decisions live in pure modules that import no framework
// (no Nest, TypeORM, ethers, queues, drivers), so they are tested with plain data and read on
// their own. This follows every relative import of each pure module, however deep.

const FRAMEWORKS = /^(@nestjs\/|typeorm$|typeorm\/|ethers$|bull$|ioredis$|pg$|pg-|express$|graphql$|graphql-|hardhat)/;
const IMPURE_ROLES = /\.(service|repository|processor|module|entity|model|input|resolver|controller|spec)\.ts$/;

const PURE = [
  'auth/permissions.ts',
  'auth/principal-cache.ts',
  'auth/verified-token-cache.ts',
  'chain/chain-identity.ts',
  'chain/deposit-scan.ts',
  'chain/fees.ts',
  'chain/tx-errors.ts',
  'common/money.ts',
  'database/batch-order.ts',
  'database/call-batcher.ts',
  'datasets/budget.ts',
  'datasets/dataset-access.ts',
  'datasets/dataset-lifecycle.ts',
  'datasets/dataset-settings.ts',
  'datasets/item-validation.ts',
  'health/request-durations.ts',
  'ledger/balances.ts',
  'payouts/manifest.ts',
  'payouts/payout-plan.ts',
  'payouts/payout-verification.ts',
  'payouts/send-decision.ts',
  'quality/gold-scoring.ts',
  'quality/worker-quality.ts',
  'tasks/answer-validation.ts',
  'tasks/submit-rules.ts',
  ...readdirSync(join(__dirname, 'consensus'))
    .filter((file) => file.endsWith('.ts') && !IMPURE_ROLES.test(file))
    .map((file) => `consensus/${file}`),
];

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

/** Every package a module reaches through its relative imports, with the chain that reaches it. */
function reachedPackages(start: string): Map<string, string> {
  const reached = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string, via: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) {
        if (!reached.has(spec)) reached.set(spec, via);
        continue;
      }
      const target = resolve(dirname(file), spec);
      const path = [`${target}.ts`, join(target, 'index.ts')].find(existsSync);
      if (path !== undefined) visit(path, `${via} → ${relative(__dirname, path)}`);
    }
  };
  visit(join(__dirname, start), start);
  return reached;
}

describe('pure modules', () => {
  it.each(PURE)('%s imports no framework, directly or through its imports', (file) => {
    const frameworks = [...reachedPackages(file)]
      .filter(([spec]) => FRAMEWORKS.test(spec))
      .map(([spec, via]) => `${spec} (${via})`);
    expect(frameworks).toEqual([]);
  });
});
