// Funds a dataset on-chain from the requester's wallet: approve the vault, deposit against the
// dataset's depositKey, then wait until the service has credited the deposit to its budget.
//
//   PRIVATE_KEY=<requester key> TOKEN=<requester access token> node examples/deposit.mjs <datasetId> <amount>
//
// <amount> is in whole tokens ("4.5"). The wallet needs the tokens and some ETH for gas: on the dev
// chain, devFaucet(address, amount) gives both. The ABIs come from artifacts/ (written by
// `npm run build:contracts`, which `npm start` runs).
import { readFileSync } from 'node:fs';
import { Contract, JsonRpcProvider, Network, Wallet, formatUnits, parseUnits } from 'ethers';
import { gql, sleep } from './lib.mjs';

const [datasetId, amountText] = process.argv.slice(2);
if (!datasetId || !amountText || !process.env.PRIVATE_KEY || !process.env.TOKEN) {
  process.stderr.write(
    'usage: PRIVATE_KEY=<key> TOKEN=<access token> node examples/deposit.mjs <datasetId> <amount>\n',
  );
  process.exit(2);
}
const abi = (name) => JSON.parse(readFileSync(new URL(`../artifacts/${name}.json`, import.meta.url), 'utf8')).abi;

const { chainInfo } = await gql(
  '{ chainInfo { chainId rpcUrl tokenAddress vaultAddress decimals symbol confirmations } }',
);
const readDataset = async () =>
  (
    await gql(
      'query($id: ID!) { dataset(id: $id) { id name depositKey budget } }',
      { id: datasetId },
      process.env.TOKEN,
    )
  ).dataset;
const dataset = await readDataset();
if (!dataset) throw new Error(`no dataset ${datasetId} that this token may fund`);

// No response cache: the nonce of the deposit must be read after the approval was mined.
const provider = new JsonRpcProvider(chainInfo.rpcUrl, Network.from(chainInfo.chainId), {
  staticNetwork: true,
  cacheTimeout: -1,
});
const wallet = new Wallet(process.env.PRIVATE_KEY.trim(), provider);
const token = new Contract(chainInfo.tokenAddress, abi('LabelToken'), wallet);
const vault = new Contract(chainInfo.vaultAddress, abi('PayoutVault'), wallet);
const amount = parseUnits(amountText, chainInfo.decimals);
const held = await token.balanceOf(wallet.address);
if (held < amount)
  throw new Error(
    `${wallet.address} holds ${formatUnits(held, chainInfo.decimals)} ${chainInfo.symbol}, less than ${amountText}: mint some with devFaucet on the dev chain`,
  );

await (await token.approve(chainInfo.vaultAddress, amount)).wait();
const receipt = await (await vault.deposit(dataset.depositKey, amount)).wait();
process.stderr.write(
  `deposited ${amountText} ${chainInfo.symbol} for "${dataset.name}" in tx ${receipt.hash} (block ${receipt.blockNumber})\n`,
);

// The deposit watcher credits it once it has chainInfo.confirmations confirmations.
const before = parseUnits(dataset.budget, chainInfo.decimals);
for (let waited = 0; waited < 120; waited++) {
  const budget = parseUnits((await readDataset()).budget, chainInfo.decimals);
  if (budget >= before + amount) {
    process.stdout.write(`budget ${formatUnits(budget, chainInfo.decimals)} ${chainInfo.symbol}\n`);
    process.exit(0);
  }
  await sleep(1000);
}
throw new Error(
  'the deposit was not credited within 2 minutes: is the worker running (ROLE all or worker)? see "Troubleshooting" in README.md',
);
