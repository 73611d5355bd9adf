#!/usr/bin/env node
'use strict';
// The dev chain as its own long-lived process, for tests and tools that need a real child
// process (kill it, restart it, share it between processes):
//
//   node scripts/dev-chain.js [--port 8545] [--hostname 127.0.0.1] [--state-dir DIR] [--no-automine] [--no-deploy]
//
// --state-dir keeps the chain in DIR across restarts (as `npm start` keeps it in DATA_DIR/chain);
// without it every start is a new chain.
// When ready it prints ONE JSON line on stdout, then nothing else:
//   {"rpcUrl":"http://127.0.0.1:8545","chainId":31337,"tokenAddress":"0x5FbD…","vaultAddress":"0xe7f1…",
//    "deployer":"0xf39F…","operator":"0x7099…","deployBlock":2}
// (no contract fields with --no-deploy). Exits cleanly on SIGTERM / SIGINT.
// Uses the hardhat default (PUBLIC) keys: dev only.

const { existsSync } = require('node:fs');
const { join } = require('node:path');

// From the sources in a clone, from the build in the Docker image (which ships no src/).
function devChainModule() {
  if (existsSync(join(__dirname, '..', 'src', 'chain', 'dev-chain.ts'))) {
    require('@swc-node/register');
    return require('../src/chain/dev-chain');
  }
  return require('../dist/src/chain/dev-chain');
}
const { startDevChain, deployDevContracts, DEV_KEYS } = devChainModule();

function arg(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const port = Number(arg('--port') ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${arg('--port')}`);
  const chain = await startDevChain({
    port,
    hostname: arg('--hostname'),
    stateDir: arg('--state-dir'),
    automine: !process.argv.includes('--no-automine'),
  });
  const deployed = process.argv.includes('--no-deploy')
    ? {}
    : await deployDevContracts({ rpcUrl: chain.rpcUrl, deployerKey: DEV_KEYS[0] });
  process.stdout.write(`${JSON.stringify({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, ...deployed })}\n`);

  const stop = () => {
    chain.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
