#!/usr/bin/env node
'use strict';
// Compiles every .sol file under contracts/ with the npm `solc` package (bundled wasm: no
// download, works offline) through its standard JSON input, and writes
// artifacts/<ContractName>.json = { contractName, sourceName, abi, bytecode }.
//
// Skips the compiler when nothing changed: a hash of the sources, the settings, this script
// and the solc/OpenZeppelin versions is kept in artifacts/.hash.
//
//   node scripts/compile-contracts.js           (npm run build:contracts)
//   node scripts/compile-contracts.js --force   (ignore the hash)
//
// Also usable from code: require('./compile-contracts').compileContracts({ quiet: true }).

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const CONTRACTS_DIR = path.join(ROOT, 'contracts');
const ARTIFACTS_DIR = path.join(ROOT, 'artifacts');
const HASH_FILE = path.join(ARTIFACTS_DIR, '.hash');

// Cancun explicitly: solc 0.8.30 defaults to a newer fork than the dev chain runs.
// Deployed contracts (and the benchmark baseline, so the comparison is fair) go through the IR
// pipeline with runs = 1,000,000: the payout loop's runtime gas is what matters, not deploy
// size; it takes ~350 gas a recipient off payBatch vs the legacy pipeline at runs 200
// (bench/gas.ts, docs/benchmarks.md "Gas"). Test-only tokens use the faster legacy pipeline.
const OUTPUT = { '*': { '*': ['abi', 'evm.bytecode.object'] } };
const GROUPS = [
  {
    name: 'contracts',
    match: (file) => !file.startsWith('contracts/test/'),
    settings: {
      evmVersion: 'cancun',
      viaIR: true,
      optimizer: { enabled: true, runs: 1_000_000 },
      outputSelection: OUTPUT,
    },
  },
  {
    name: 'test contracts',
    match: (file) => file.startsWith('contracts/test/'),
    settings: { evmVersion: 'cancun', optimizer: { enabled: true, runs: 200 }, outputSelection: OUTPUT },
  },
];

/** Every .sol file under contracts/, as posix paths relative to the project root. */
function listSources(dir = CONTRACTS_DIR) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSources(full));
    else if (entry.isFile() && entry.name.endsWith('.sol'))
      out.push(path.relative(ROOT, full).split(path.sep).join('/'));
  }
  return out.sort();
}

function packageVersion(name) {
  try {
    return require(require.resolve(`${name}/package.json`, { paths: [ROOT] })).version;
  } catch {
    return 'missing';
  }
}

function sourcesHash(sources) {
  const h = crypto.createHash('sha256');
  h.update(fs.readFileSync(path.join(__dirname, 'compile-contracts.js')));
  h.update(JSON.stringify(GROUPS.map((g) => g.settings)));
  h.update(`solc@${packageVersion('solc')} oz@${packageVersion('@openzeppelin/contracts')}`);
  for (const [name, { content }] of Object.entries(sources)) h.update(`\0${name}\0${content}`);
  return h.digest('hex');
}

/** Import callback: our own files from the project root, packages (@openzeppelin/...) from node_modules. */
function findImport(importPath) {
  try {
    const local = path.join(ROOT, importPath);
    if (importPath.startsWith('contracts/') && fs.existsSync(local))
      return { contents: fs.readFileSync(local, 'utf8') };
    const resolved = require.resolve(importPath, { paths: [ROOT] });
    return { contents: fs.readFileSync(resolved, 'utf8') };
  } catch {
    return { error: `File not found: ${importPath}` };
  }
}

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * @param {{ force?: boolean, quiet?: boolean }} [options]
 * @returns {{ compiled: boolean, contracts: string[] }}
 */
function compileContracts(options = {}) {
  const log = options.quiet ? () => {} : (msg) => process.stdout.write(`${msg}\n`);
  const sources = {};
  for (const file of listSources()) sources[file] = { content: fs.readFileSync(path.join(ROOT, file), 'utf8') };
  const hash = sourcesHash(sources);

  if (!options.force && fs.existsSync(HASH_FILE)) {
    try {
      const previous = JSON.parse(fs.readFileSync(HASH_FILE, 'utf8'));
      const allThere = previous.contracts.every((name) => fs.existsSync(path.join(ARTIFACTS_DIR, `${name}.json`)));
      if (previous.hash === hash && allThere) {
        log(`contracts unchanged (${previous.contracts.length} artifacts up to date)`);
        return { compiled: false, contracts: previous.contracts };
      }
    } catch {
      // unreadable hash file: compile
    }
  }

  const started = Date.now();
  const solc = require('solc');
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const names = [];
  const seen = new Map();
  for (const group of GROUPS) {
    const groupSources = Object.fromEntries(Object.entries(sources).filter(([file]) => group.match(file)));
    if (Object.keys(groupSources).length === 0) continue;
    const input = { language: 'Solidity', sources: groupSources, settings: group.settings };
    const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));

    for (const e of output.errors || []) {
      // Warnings inside OpenZeppelin (e.g. its note on transient storage) are not ours to fix.
      const inLibrary = e.sourceLocation && !String(e.sourceLocation.file).startsWith('contracts/');
      if (e.severity !== 'error' && !inLibrary && !options.quiet) process.stderr.write(`${e.formattedMessage}\n`);
    }
    const errors = (output.errors || []).filter((e) => e.severity === 'error');
    if (errors.length > 0)
      throw new Error(`solc failed (${group.name}):\n${errors.map((e) => e.formattedMessage).join('\n')}`);

    for (const sourceName of Object.keys(groupSources)) {
      for (const [contractName, c] of Object.entries(output.contracts[sourceName] || {})) {
        const bytecode = c.evm.bytecode.object;
        if (!bytecode) continue; // interfaces and abstract contracts
        if (seen.has(contractName)) {
          throw new Error(`two contracts named ${contractName}: ${seen.get(contractName)} and ${sourceName}`);
        }
        seen.set(contractName, sourceName);
        const artifact = { contractName, sourceName, abi: c.abi, bytecode: `0x${bytecode}` };
        writeAtomic(path.join(ARTIFACTS_DIR, `${contractName}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
        names.push(contractName);
      }
    }
  }
  writeAtomic(HASH_FILE, `${JSON.stringify({ hash, solc: solc.version(), contracts: names.sort() })}\n`);
  log(`compiled ${names.length} contracts with solc ${solc.version()} in ${Date.now() - started} ms → artifacts/`);
  return { compiled: true, contracts: names };
}

module.exports = { compileContracts, ARTIFACTS_DIR, GROUPS };

if (require.main === module) {
  try {
    compileContracts({ force: process.argv.includes('--force') });
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
