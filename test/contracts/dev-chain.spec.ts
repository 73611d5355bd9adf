import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NonceManager, Wallet, type JsonRpcProvider } from 'ethers';
import { DEV_CHAIN_ID, DEV_KEYS, deployDevContracts, startDevChain, type DevChain } from '../../src/chain/dev-chain';
import {
  OPERATOR_ROLE_ID,
  connectLabelToken,
  connectPayoutVault,
  packBatch,
  unpackBatch,
} from '../../src/chain/contracts';
import { addresses, mined, revertOf, useChainTimeouts } from './chain-fixture';
import { tempDirs } from '../support/temp-dirs';
import { createChainProvider } from '../../src/chain/chain-provider';

useChainTimeouts();

describe('startDevChain', () => {
  it('serves chain 31337 on Cancun with a 30M block gas limit and the DEV_KEYS accounts funded', async () => {
    const chain = await startDevChain();
    const provider = createChainProvider(chain.rpcUrl, chain.chainId);
    try {
      expect(chain.chainId).toBe(DEV_CHAIN_ID);
      expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await provider.send('eth_chainId', [])).toBe('0x7a69');
      const block = (await provider.send('eth_getBlockByNumber', ['latest', false])) as Record<
        string,
        string | undefined
      >;
      expect(BigInt(block.gasLimit!)).toBe(30_000_000n);
      expect(block.excessBlobGas).toBeDefined(); // Cancun header field
      expect(block.requestsHash).toBeUndefined(); // Prague header field
      const accounts = ((await provider.send('eth_accounts', [])) as string[]).map((a) => a.toLowerCase());
      expect(DEV_KEYS.map((k) => new Wallet(k).address.toLowerCase())).toEqual(accounts.slice(0, DEV_KEYS.length));
      expect(await provider.getBalance(new Wallet(DEV_KEYS[9]).address)).toBe(10_000n * 10n ** 18n);
    } finally {
      provider.destroy();
      await chain.close();
    }
  });

  it('starts independent chains and refuses connections once closed', async () => {
    const [a, b] = await Promise.all([startDevChain(), startDevChain()]);
    const pa = createChainProvider(a.rpcUrl, a.chainId);
    const pb = createChainProvider(b.rpcUrl, b.chainId);
    try {
      await deployDevContracts({ rpcUrl: a.rpcUrl, deployerKey: DEV_KEYS[0] });
      expect(await pa.getBlockNumber()).toBeGreaterThan(0);
      expect(await pb.getBlockNumber()).toBe(0);
    } finally {
      pa.destroy();
      pb.destroy();
      await a.close();
      await a.close(); // idempotent
      await b.close();
    }
    await expect(fetch(a.rpcUrl, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('with automine off, leaves transactions pending until evm_mine; deployDevContracts mines for itself', async () => {
    const chain = await startDevChain({ automine: false });
    const provider = createChainProvider(chain.rpcUrl, chain.chainId);
    try {
      const deployed = await deployDevContracts({ rpcUrl: chain.rpcUrl, deployerKey: DEV_KEYS[0] });
      const admin = new Wallet(DEV_KEYS[0], provider);
      const token = connectLabelToken(deployed.tokenAddress, admin);
      const [to] = addresses(1, 'automine');

      const tx = await token.mint(to, 5n);
      expect(await provider.getTransactionReceipt(tx.hash)).toBeNull();
      expect(await token.balanceOf(to)).toBe(0n);
      await chain.provider.request({ method: 'evm_mine', params: [] });
      expect((await provider.getTransactionReceipt(tx.hash))?.status).toBe(1);
      expect(await token.balanceOf(to)).toBe(5n);
    } finally {
      provider.destroy();
      await chain.close();
    }
  });
});

describe('startDevChain with stateDir (the kept `npm start` chain)', () => {
  const stateDir = tempDirs('lc-dev-chain-');

  async function withChain<T>(
    dir: string,
    work: (provider: JsonRpcProvider, chain: DevChain) => Promise<T>,
  ): Promise<T> {
    const chain = await startDevChain({ stateDir: dir });
    const provider = createChainProvider(chain.rpcUrl, chain.chainId);
    try {
      return await work(provider, chain);
    } finally {
      provider.destroy();
      await chain.close();
    }
  }

  it('comes back with the same blocks, balances and contracts, snapshots and reverts included', async () => {
    const dir = stateDir();
    const [to] = addresses(1, 'kept');
    const before = await withChain(dir, async (provider, chain) => {
      expect(chain.restoredCalls).toBe(0);
      const deployed = await deployDevContracts({ rpcUrl: chain.rpcUrl, deployerKey: DEV_KEYS[0] });
      const owner = new NonceManager(new Wallet(DEV_KEYS[0], provider));
      const token = connectLabelToken(deployed.tokenAddress, owner);
      await mined(token.mint(to, 5n));
      const snapshot = (await provider.send('evm_snapshot', [])) as string;
      await mined(token.mint(to, 1000n)); // reorged away below
      await provider.send('evm_revert', [snapshot]);
      owner.reset();
      await mined(token.mint(to, 2n));
      return { deployed, head: (await provider.getBlock('latest'))! };
    });
    await withChain(dir, async (provider, chain) => {
      expect(chain.restoredCalls).toBeGreaterThan(0);
      expect((await provider.getBlock(before.head.number))!.hash).toBe(before.head.hash);
      expect(await connectLabelToken(before.deployed.tokenAddress, provider).balanceOf(to)).toBe(7n);
      // Its clock caught up with the time it was down instead of going on from its last block.
      expect((await provider.getBlock('latest'))!.timestamp).toBeGreaterThanOrEqual(before.head.timestamp);
    });
  });

  it('refuses to serve a kept chain that does not replay to the same blocks, with one line', async () => {
    const dir = stateDir();
    await withChain(dir, (_provider, chain) => deployDevContracts({ rpcUrl: chain.rpcUrl, deployerKey: DEV_KEYS[0] }));
    const file = join(dir, 'journal.ndjson');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const entry = JSON.parse(lines[2]) as { blockHash: string };
    lines[2] = JSON.stringify({ ...entry, blockHash: `0x${'0'.repeat(64)}` });
    writeFileSync(file, `${lines.join('\n')}\n`);
    await expect(startDevChain({ stateDir: dir })).rejects.toThrow(
      /^the dev chain kept in .*journal\.ndjson does not replay \(call 2: block 2 is 0x[0-9a-f]{64}, the journal says 0x0{64}\); delete DATA_DIR to start the chain and the database over$/,
    );
  });

  it('refuses calls a journal cannot replay (interval mining, a reset)', async () => {
    await withChain(stateDir(), async (provider) => {
      await expect(provider.send('hardhat_reset', [])).rejects.toThrow(/not available on the kept dev chain/);
      await expect(provider.send('evm_setIntervalMining', [1000])).rejects.toThrow(
        /not available on the kept dev chain/,
      );
    });
  });
});

describe('deployDevContracts', () => {
  it('deploys LabelToken and PayoutVault at the well-known addresses and makes DEV_KEYS[1] the operator', async () => {
    const chain = await startDevChain();
    const provider = createChainProvider(chain.rpcUrl, chain.chainId);
    try {
      const deployed = await deployDevContracts({ rpcUrl: chain.rpcUrl, deployerKey: DEV_KEYS[0] });
      const deployer = new Wallet(DEV_KEYS[0], provider);
      expect(deployed).toEqual({
        tokenAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        vaultAddress: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
        deployer: deployer.address,
        operator: new Wallet(DEV_KEYS[1]).address,
        deployBlock: 2,
      });
      const token = connectLabelToken(deployed.tokenAddress, deployer);
      expect([await token.name(), await token.symbol(), await token.decimals(), await token.owner()]).toEqual([
        'Label Token',
        'LABEL',
        18n,
        deployer.address,
      ]);
      const vault = connectPayoutVault(deployed.vaultAddress, provider);
      expect(await vault.token()).toBe(deployed.tokenAddress);
      expect(await vault.hasRole(OPERATOR_ROLE_ID, deployed.operator)).toBe(true);
    } finally {
      provider.destroy();
      await chain.close();
    }
  });

  it('grants the operator role to the address it is given', async () => {
    const chain = await startDevChain();
    const provider = createChainProvider(chain.rpcUrl, chain.chainId);
    try {
      const operator = new Wallet(DEV_KEYS[5]).address;
      const deployed = await deployDevContracts({ rpcUrl: chain.rpcUrl, deployerKey: DEV_KEYS[0], operator });
      const vault = connectPayoutVault(deployed.vaultAddress, provider);
      expect(await vault.hasRole(OPERATOR_ROLE_ID, operator)).toBe(true);
      expect(await vault.hasRole(OPERATOR_ROLE_ID, new Wallet(DEV_KEYS[1]).address)).toBe(false);
    } finally {
      provider.destroy();
      await chain.close();
    }
  });
});

describe('LabelToken', () => {
  it('lets only the owner mint', async () => {
    const chain = await startDevChain();
    const provider = createChainProvider(chain.rpcUrl, chain.chainId);
    try {
      const deployed = await deployDevContracts({ rpcUrl: chain.rpcUrl, deployerKey: DEV_KEYS[0] });
      const stranger = new Wallet(DEV_KEYS[3], provider);
      const [to] = addresses(1, 'mint');
      expect(await revertOf(connectLabelToken(deployed.tokenAddress, stranger).mint(to, 1n))).toEqual({
        name: 'OwnableUnauthorizedAccount',
        args: [stranger.address],
      });
      await mined(connectLabelToken(deployed.tokenAddress, new Wallet(DEV_KEYS[0], provider)).mint(to, 3n));
      expect(await connectLabelToken(deployed.tokenAddress, provider).balanceOf(to)).toBe(3n);
    } finally {
      provider.destroy();
      await chain.close();
    }
  });
});

describe('packBatch', () => {
  const [a, b] = addresses(2, 'pack');

  it.each([
    ['one base unit', [1n], 1n, 1],
    ['amounts sharing a factor', [10n ** 16n, 997n * 10n ** 16n], 10n ** 16n, 2],
    ['a 96-bit amount', [(1n << 96n) - 1n, 1n], 1n, 12],
    ['a unit that would be 2**96 or more', [1n << 100n], 1n << 95n, 1],
  ])('round-trips %s', (_name, amounts, unit, width) => {
    const payments = amounts.map((amount, i) => ({ recipient: [a, b][i], amount }));
    const packed = packBatch(payments)!;
    expect({ unit: packed.unit, width: packed.width }).toEqual({ unit, width });
    expect(unpackBatch(packed)).toEqual(payments);
  });

  it('writes records of address then big-endian value', () => {
    expect(packBatch([{ recipient: '0x00000000000000000000000000000000000000ff', amount: 2n }])).toEqual({
      unit: 2n,
      width: 1,
      packed: '0x00000000000000000000000000000000000000ff01',
    });
  });

  it('answers null when an amount / unit needs more than 12 bytes', () => {
    expect(
      packBatch([
        { recipient: a, amount: 1n << 96n },
        { recipient: b, amount: 1n },
      ]),
    ).toBeNull();
  });

  it.each([0n, -1n])('rejects amount %s', (amount) => {
    expect(() => packBatch([{ recipient: a, amount }])).toThrow(RangeError);
  });
});
