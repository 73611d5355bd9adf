#!/usr/bin/env node
// docker-compose's one-shot deployment: deploys LabelToken + PayoutVault to CHAIN_RPC_URL with
// the dev chain's deployer key and makes PAYOUT_SIGNER_KEY's address the vault operator, then
// writes TOKEN_ADDRESS / VAULT_ADDRESS as shell exports to OUT_FILE for the api and worker.
// Runs on every `docker compose up`: when OUT_FILE names contracts the (kept) chain still has,
// it deploys nothing, so the addresses the database was built with stay the same.
'use strict';
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { Wallet } = require('ethers');
const { createChainProvider } = require('../dist/src/chain/chain-provider');
const { deployDevContracts, DEV_CHAIN_ID, DEV_KEYS } = require('../dist/src/chain/dev-chain');

async function alreadyDeployed(rpcUrl, outFile) {
  if (!existsSync(outFile)) return false;
  const addresses = [
    ...readFileSync(outFile, 'utf8').matchAll(/^export (TOKEN|VAULT)_ADDRESS=(0x[0-9a-fA-F]{40})$/gm),
  ].map((m) => m[2]);
  if (addresses.length !== 2) return false;
  const provider = createChainProvider(rpcUrl, DEV_CHAIN_ID);
  try {
    const codes = await Promise.all(addresses.map((a) => provider.getCode(a)));
    return codes.every((code) => code !== '0x');
  } finally {
    provider.destroy();
  }
}

async function main() {
  const rpcUrl = process.env.CHAIN_RPC_URL;
  const signerKey = process.env.PAYOUT_SIGNER_KEY;
  const outFile = process.env.OUT_FILE;
  if (!rpcUrl || !signerKey || !outFile) throw new Error('CHAIN_RPC_URL, PAYOUT_SIGNER_KEY and OUT_FILE are required');
  if (await alreadyDeployed(rpcUrl, outFile)) {
    console.log(`contracts of ${outFile} are on the chain already: nothing to deploy`);
    return;
  }
  const deployed = await deployDevContracts({
    rpcUrl,
    deployerKey: DEV_KEYS[0],
    operator: new Wallet(signerKey).address,
  });
  writeFileSync(
    outFile,
    `export TOKEN_ADDRESS=${deployed.tokenAddress}\nexport VAULT_ADDRESS=${deployed.vaultAddress}\n`,
  );
  console.log(`token ${deployed.tokenAddress}, vault ${deployed.vaultAddress}`);
}

main().catch((error) => {
  console.error(`deploy failed: ${error.message}`);
  process.exit(1);
});
