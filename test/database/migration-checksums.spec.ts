import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Landed migrations are immutable: a database migrated before an edit keeps the old schema or
// SQL function forever. Every migration has a sealed checksum (migrations/checksums/, written
// once by `npm run migration:seal`), and so does every helper they import (migrations/support/);
// this fails when a sealed file's bytes change, when a
// migration is not sealed, and when a checksum names a migration that is gone.
const seal = require('../../scripts/seal-migrations.js') as {
  CHECKSUMS_DIR: string;
  migrationFiles(): string[];
  sha256Of(file: string): string;
  checksumFileOf(file: string): string;
};

const migrations = seal.migrationFiles();
// Checksums of migrations, and of the helpers they import (checksums/support/).
function checksumsIn(dir: string, prefix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sha256'))
    .map((f) => prefix + f.slice(0, -'.sha256'.length));
}
const sealedNames = [
  ...checksumsIn(seal.CHECKSUMS_DIR, ''),
  ...checksumsIn(join(seal.CHECKSUMS_DIR, 'support'), 'support/'),
];

function sealedLine(file: string): { hash: string; name: string } {
  const [hash, name] = readFileSync(seal.checksumFileOf(file), 'utf8').trim().split(/\s+/);
  return { hash, name };
}

describe('landed migrations', () => {
  it('exist (the list below is not empty)', () => {
    expect(migrations.length).toBeGreaterThan(0);
  });

  it.each(migrations)('%s is sealed (run `npm run migration:seal` once for a new migration)', (file) => {
    expect(existsSync(seal.checksumFileOf(file))).toBe(true);
  });

  it.each(migrations.filter((f) => existsSync(seal.checksumFileOf(f))))(
    '%s still has the bytes it was sealed with (never edit a landed migration: add a new one)',
    (file) => {
      expect(sealedLine(file)).toEqual({ hash: seal.sha256Of(file), name: file });
    },
  );

  it.each(sealedNames)('the checksum %s belongs to a migration that exists', (name) => {
    expect(existsSync(join(seal.CHECKSUMS_DIR, '..', name))).toBe(true);
  });
});
