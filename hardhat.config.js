// Hardhat 2 is used ONLY as the local dev chain (in-process via src/chain/dev-chain.ts, or
// `npx hardhat node` for a long-running one). Contracts are compiled by
// scripts/compile-contracts.js with the bundled npm `solc`: Hardhat's own compile would try
// to download a compiler, so `hardhat compile` is routed to that script instead.
const path = require('node:path');
const { task } = require('hardhat/config');

task('compile', 'Compiles contracts/ with the bundled solc (scripts/compile-contracts.js)').setAction(async () => {
  require('./scripts/compile-contracts').compileContracts();
});

/** @type {import('hardhat/config').HardhatUserConfig} */
module.exports = {
  // Informational only (Hardhat never compiles here); matches scripts/compile-contracts.js.
  solidity: {
    version: '0.8.30',
    settings: { evmVersion: 'cancun', viaIR: true, optimizer: { enabled: true, runs: 1_000_000 } },
  },
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: 'cancun',
      blockGasLimit: 30_000_000,
      // A reverted tx must still return its hash (its nonce is used) instead of an RPC error.
      throwOnTransactionFailures: false,
      mining: { auto: true, interval: 0 },
    },
  },
  // Keep Hardhat's own files away from artifacts/ (ours, written by compile-contracts.js).
  paths: {
    sources: path.join(__dirname, 'contracts'),
    artifacts: path.join(__dirname, '.data', 'hardhat', 'artifacts'),
    cache: path.join(__dirname, '.data', 'hardhat', 'cache'),
  },
};
