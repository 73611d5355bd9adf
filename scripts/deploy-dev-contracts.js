#!/usr/bin/env node
// docker-compose's one-shot deployment: deploys LabelToken + PayoutVault to CHAIN_RPC_URL with
// the dev chain's deployer key and makes PAYOUT_SIGNER_KEY's address the vault operator, then
// writes TOKEN_ADDRESS / VAULT_ADDRESS as shell exports to OUT_FILE for the api and worker.
'use strict';
const { writeFileSync } = require('node:fs');
const { Wallet } = require('ethers');
const { deployDevContracts, DEV_KEYS } = require('../dist/src/chain/dev-chain');

async function main() {
  const rpcUrl = process.env.CHAIN_RPC_URL;
  const signerKey = process.env.PAYOUT_SIGNER_KEY;
  const outFile = process.env.OUT_FILE;
  if (!rpcUrl || !signerKey || !outFile) throw new Error('CHAIN_RPC_URL, PAYOUT_SIGNER_KEY and OUT_FILE are required');
  const deployed = await deployDevContracts({ rpcUrl, deployerKey: DEV_KEYS[0], operator: new Wallet(signerKey).address });
  writeFileSync(outFile, `export TOKEN_ADDRESS=${deployed.tokenAddress}\nexport VAULT_ADDRESS=${deployed.vaultAddress}\n`);
  console.log(`token ${deployed.tokenAddress}, vault ${deployed.vaultAddress}`);
}

main().catch((error) => {
  console.error(`deploy failed: ${error.message}`);
  process.exit(1);
});
