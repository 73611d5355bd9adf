#!/usr/bin/env node
'use strict';
// Seals migrations: writes migrations/checksums/<file>.sha256 ("<sha256>  <file>") for every
// migration that has none yet. An existing checksum is never rewritten: a landed migration is
// immutable (test/database/migration-checksums.spec.ts fails when its bytes change), and a
// change of schema or SQL function is a NEW migration.
//
//   node scripts/seal-migrations.js   (npm run migration:seal)
//
// One small file per migration, so branches adding migrations in their own timestamp ranges
// never touch the same file and merge without conflicts.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');
const CHECKSUMS_DIR = path.join(MIGRATIONS_DIR, 'checksums');

// The migrations, and the helpers some of them import (migrations/support/): a landed migration
// runs with its helpers' bytes, so they are sealed the same way (their checksums under
// checksums/support/).
function migrationFiles() {
  const migrations = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d+-[A-Za-z0-9]+\.ts$/.test(f))
    .sort();
  const supportDir = path.join(MIGRATIONS_DIR, 'support');
  const support = fs.existsSync(supportDir)
    ? fs
        .readdirSync(supportDir)
        .filter((f) => f.endsWith('.ts'))
        .sort()
        .map((f) => `support/${f}`)
    : [];
  return [...migrations, ...support];
}

function sha256Of(file) {
  return crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(MIGRATIONS_DIR, file)))
    .digest('hex');
}

function checksumFileOf(file) {
  return path.join(CHECKSUMS_DIR, `${file}.sha256`);
}

function seal() {
  const sealed = [];
  for (const file of migrationFiles()) {
    const target = checksumFileOf(file);
    if (fs.existsSync(target)) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, `${sha256Of(file)}  ${file}\n`);
    sealed.push(file);
  }
  return sealed;
}

module.exports = { MIGRATIONS_DIR, CHECKSUMS_DIR, migrationFiles, sha256Of, checksumFileOf };

if (require.main === module) {
  const sealed = seal();
  process.stdout.write(
    sealed.length ? sealed.map((f) => `sealed ${f}\n`).join('') : 'every migration is already sealed\n',
  );
}
