import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SQL_LOCKS } from './advisory-locks';

// One registry for every advisory lock: nothing else in src/ takes one, and every lock inside a
// SQL function of migrations/ is listed in SQL_LOCKS with what it serialises.
const SRC = join(__dirname, '..');
const MIGRATIONS = join(__dirname, '..', '..', 'migrations');
const ADVISORY = /pg_(?:try_)?advisory_(?:xact_)?lock(?:_shared)?\s*\(/g;

/** Each advisory lock call in `sql`, from its name to its balanced closing parenthesis. */
function advisoryCalls(sql: string): string[] {
  return [...sql.matchAll(ADVISORY)].map((match) => {
    let depth = 0;
    for (let i = match.index + match[0].length - 1; i < sql.length; i++) {
      if (sql[i] === '(') depth++;
      if (sql[i] === ')' && --depth === 0) return sql.slice(match.index, i + 1);
    }
    return sql.slice(match.index);
  });
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('advisory lock registry', () => {
  it('is the only place in src/ that takes an advisory lock', () => {
    const elsewhere = tsFiles(SRC).filter(
      (file) => !file.endsWith('advisory-locks.ts') && /pg_(try_)?advisory/.test(readFileSync(file, 'utf8')),
    );
    expect(elsewhere.map((file) => file.slice(SRC.length + 1))).toEqual([]);
  });

  it('lists every advisory lock taken inside a SQL function of migrations/', () => {
    const listed = new Set<string>(SQL_LOCKS.map((lock) => lock.expression));
    const unlisted = readdirSync(MIGRATIONS)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) =>
        advisoryCalls(readFileSync(join(MIGRATIONS, name), 'utf8')).map((expression) => ({ name, expression })),
      )
      .filter(({ expression }) => !listed.has(expression));
    expect(unlisted).toEqual([]);
  });
});
