import { Wallet } from 'ethers';
import { DEV_KEYS } from '../../src/chain/dev-chain';
import { FAUCET_GAS_AMOUNT } from '../../src/chain/faucet.service';
import type { LabelTokenContract } from '../../src/chain/contracts';
import { Role } from '../../src/auth/role';
import { errorCode, gql } from '../support/gql';
import { signIn, signInAs } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { OPERATOR_KEY, startTestChain, type TestChain } from './test-chain';

const QUIET = {
  PAYOUT_INTERVAL_SECONDS: '0',
  PAYOUT_RECONCILE_SECONDS: '0',
  DEPOSIT_POLL_SECONDS: '0',
  SIGN_IN_RATE_LIMIT: '1000',
};
const INFO = '{ chainInfo { chainId rpcUrl tokenAddress vaultAddress decimals symbol } }';
const FAUCET = 'mutation($a: String!, $n: TokenAmount!) { devFaucet(address: $a, amount: $n) }';

describe('chainInfo and devFaucet', () => {
  let chain: TestChain;
  let app: TestApp;
  beforeAll(async () => {
    chain = await startTestChain();
    app = await startTestApp({ role: 'api', chain: chain.settings, env: QUIET });
  });
  afterAll(async () => {
    await app.close();
    await chain.close();
  });

  it('tells anyone, signed in or not, which chain and contracts to use', async () => {
    const res = await gql(app, { query: INFO });
    expect(res.data.chainInfo).toEqual({
      chainId: 31337,
      rpcUrl: chain.settings.rpcUrl,
      tokenAddress: chain.settings.tokenAddress,
      vaultAddress: chain.settings.vaultAddress,
      decimals: 18,
      symbol: 'LABEL',
    });
  });

  it('never publishes the RPC URL the service uses when it may hold a key: CHAIN_PUBLIC_RPC_URL, else its origin', async () => {
    const keyed = `${chain.settings.rpcUrl}/v3/s3cr3t-provider-key?apikey=s3cr3t`;
    const published = await startTestApp({
      role: 'api',
      chain: { ...chain.settings, rpcUrl: keyed, publicRpcUrl: 'https://rpc.example.org' },
      env: QUIET,
    });
    const trimmed = await startTestApp({ role: 'api', chain: { ...chain.settings, rpcUrl: keyed }, env: QUIET });
    try {
      expect((await gql(published, { query: INFO })).data.chainInfo.rpcUrl).toBe('https://rpc.example.org');
      const answer = await gql(trimmed, { query: INFO });
      expect(answer.data.chainInfo.rpcUrl).toBe(chain.settings.rpcUrl);
      expect(JSON.stringify(answer)).not.toContain('s3cr3t');
    } finally {
      await published.close();
      await trimmed.close();
    }
  });

  it('mints with the dev deployer key when that key owns the token (the `npm start` layout)', async () => {
    const user = await signIn(app);
    const to = Wallet.createRandom().address;
    const both = await Promise.all([
      gql(app, { query: FAUCET, variables: { a: to, n: '2' }, token: user.token }),
      gql(app, { query: FAUCET, variables: { a: to, n: '3' }, token: user.token }),
    ]);
    expect(both.map((r) => r.errors)).toEqual([undefined, undefined]);
    expect(await chain.balanceOf(to)).toBe(5n * 10n ** 18n);
    // And gas money for a new wallet, once: the second call found it already there.
    expect(await chain.provider.getBalance(to)).toBe(FAUCET_GAS_AMOUNT);
  });

  it('mints tokens to any address for a signed-in user, within the cap, through the operator key when it owns the token', async () => {
    const owner = new Wallet(DEV_KEYS[0], chain.provider);
    await (
      await (
        chain.token.connect(owner) as LabelTokenContract & {
          transferOwnership(to: string): Promise<{ wait(): Promise<unknown> }>;
        }
      ).transferOwnership(new Wallet(OPERATOR_KEY).address)
    ).wait();
    const user = await signIn(app);
    const to = Wallet.createRandom().address;
    const res = await gql(app, { query: FAUCET, variables: { a: to, n: '12.5' }, token: user.token });
    expect(res.data.devFaucet).toMatch(/^0x[0-9a-f]{64}$/);
    expect((await chain.provider.getTransactionReceipt(res.data.devFaucet))?.status).toBe(1);
    expect(await chain.balanceOf(to)).toBe(125n * 10n ** 17n);
    // Two at once: the operator's nonces are handed out one at a time.
    const both = await Promise.all([
      gql(app, { query: FAUCET, variables: { a: to, n: '1' }, token: user.token }),
      gql(app, { query: FAUCET, variables: { a: to, n: '1' }, token: user.token }),
    ]);
    expect(both.map((r) => r.errors)).toEqual([undefined, undefined]);
    expect(await chain.balanceOf(to)).toBe(145n * 10n ** 17n);
  });

  it.each([
    ['an amount over the cap', { a: Wallet.createRandom().address, n: '10000.000000000000000001' }, 'BAD_USER_INPUT'],
    ['a zero amount', { a: Wallet.createRandom().address, n: '0' }, 'BAD_USER_INPUT'],
    ['a malformed address', { a: '0x1234', n: '1' }, 'BAD_USER_INPUT'],
  ])('refuses %s', async (_name, variables, code) => {
    const user = await signIn(app);
    expect(errorCode(await gql(app, { query: FAUCET, variables, token: user.token }))).toBe(code);
  });

  it('refuses anonymous callers', async () => {
    expect(errorCode(await gql(app, { query: FAUCET, variables: { a: Wallet.createRandom().address, n: '1' } }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('refuses the faucet on a chain that is not the dev chain', async () => {
    const prod = await startTestApp({ role: 'api', chain: { ...chain.settings, isDevChain: false }, env: QUIET });
    try {
      const user = await signIn(prod);
      expect(
        errorCode(
          await gql(prod, {
            query: FAUCET,
            variables: { a: Wallet.createRandom().address, n: '1' },
            token: user.token,
          }),
        ),
      ).toBe('DEV_CHAIN_ONLY');
    } finally {
      await prod.close();
    }
  });

  it('answers CHAIN_UNAVAILABLE for chain features when no chain is configured', async () => {
    const none = await startTestApp({ role: 'api', env: QUIET });
    try {
      const admin = await signInAs(none, [Role.ADMIN]);
      expect(errorCode(await gql(none, { query: INFO }))).toBe('CHAIN_UNAVAILABLE');
      expect(errorCode(await gql(none, { query: 'mutation { runPayouts { id } }', token: admin.token }))).toBe(
        'CHAIN_UNAVAILABLE',
      );
      expect(
        errorCode(
          await gql(none, {
            query: FAUCET,
            variables: { a: Wallet.createRandom().address, n: '1' },
            token: admin.token,
          }),
        ),
      ).toBe('CHAIN_UNAVAILABLE');
    } finally {
      await none.close();
    }
  });
});
