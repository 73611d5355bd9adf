import { Wallet } from 'ethers';
import { errorCode, gql } from '../support/gql';
import { siweMessage, signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';

const ADMIN = Wallet.createRandom();

describe('Sign-In with Ethereum', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { ADMIN_ADDRESSES: ADMIN.address, SIGN_IN_RATE_LIMIT: '1000' } });
  });
  afterAll(() => app.close());

  async function nonceFor(address: string): Promise<string> {
    const res = await gql(app, {
      query: 'mutation($a: String!) { requestSignInNonce(address: $a) }',
      variables: { a: address },
    });
    return res.data.requestSignInNonce;
  }

  async function attempt(message: string, signature: string) {
    return gql(app, {
      query:
        'mutation($m: String!, $s: String!) { signIn(message: $m, signature: $s) { accessToken account { id roles } } }',
      variables: { m: message, s: signature },
    });
  }

  async function accountCount(): Promise<number> {
    const [{ n }] = await app.dataSource.query('SELECT count(*)::int AS n FROM accounts');
    return n;
  }

  it('signs a new wallet in as LABELER and answers me', async () => {
    const user = await signIn(app);
    const me = await gql(app, { query: '{ me { id address roles blocked } }', token: user.token });
    expect(me.data.me).toEqual({
      id: user.id,
      address: user.wallet.address.toLowerCase(),
      roles: ['LABELER'],
      blocked: false,
    });
  });

  it('gives ADMIN to configured admin addresses', async () => {
    const admin = await signIn(app, ADMIN as unknown as Wallet);
    const me = await gql(app, { query: '{ me { roles } }', token: admin.token });
    expect(me.data.me.roles).toEqual(['ADMIN', 'LABELER']);
  });

  it('takes ADMIN away at the next sign-in once the address is off ADMIN_ADDRESSES, audited', async () => {
    const wallet = Wallet.createRandom() as unknown as Wallet;
    const before = await startTestApp({
      shareWith: app,
      env: { ADMIN_ADDRESSES: wallet.address, SIGN_IN_RATE_LIMIT: '1000' },
    });
    const after = await startTestApp({
      shareWith: app,
      env: { ADMIN_ADDRESSES: ADMIN.address, SIGN_IN_RATE_LIMIT: '1000' },
    });
    try {
      const asAdmin = await signIn(before, wallet);
      expect((await gql(before, { query: '{ me { roles } }', token: asAdmin.token })).data.me.roles).toEqual([
        'ADMIN',
        'LABELER',
      ]);
      const again = await signIn(after, wallet);
      expect((await gql(after, { query: '{ me { roles } }', token: again.token })).data.me.roles).toEqual(['LABELER']);
      // The token from before the removal reads the account afresh: no ADMIN there either.
      expect((await gql(after, { query: '{ me { roles } }', token: asAdmin.token })).data.me.roles).toEqual([
        'LABELER',
      ]);
      const audit = await app.dataSource.query(
        `SELECT action, actor_id, data FROM audit_events WHERE subject = $1 ORDER BY id`,
        [`account:${asAdmin.id}`],
      );
      expect(audit).toEqual([
        { action: 'role.grant', actor_id: null, data: { role: 'ADMIN', reason: 'ADMIN_ADDRESSES at sign-in' } },
        { action: 'role.revoke', actor_id: null, data: { role: 'ADMIN', reason: 'ADMIN_ADDRESSES at sign-in' } },
      ]);
    } finally {
      await after.close();
      await before.close();
    }
  });

  it('deletes a nonce when it is used: none is left behind by a sign-in', async () => {
    const user = await signIn(app);
    expect(await app.dataSource.query('SELECT nonce FROM auth_nonces WHERE address = $1', [user.address])).toEqual([]);
  });

  it('sweeps expired nonces as new ones are issued, a bounded number per request, leaving live ones', async () => {
    await app.dataSource.query(
      `INSERT INTO auth_nonces (nonce, address, expires_at) SELECT 'expired' || g, '0x' || lpad(g::text, 40, '0'), now() - interval '1 hour' FROM generate_series(1, 250) g`,
    );
    const live = Wallet.createRandom();
    const liveNonce = await nonceFor(live.address);
    const expired = async (): Promise<number> =>
      (await app.dataSource.query(`SELECT count(*)::int AS n FROM auth_nonces WHERE expires_at <= now()`))[0].n;
    expect(await expired()).toBe(150);
    await nonceFor(Wallet.createRandom().address);
    await nonceFor(Wallet.createRandom().address);
    expect(await expired()).toBe(0);
    const message = siweMessage({ address: live.address, nonce: liveNonce });
    expect((await attempt(message, await live.signMessage(message))).data.signIn.accessToken).toEqual(
      expect.any(String),
    );
  });

  it('refuses a signature by another wallet and keeps the nonce usable', async () => {
    const wallet = Wallet.createRandom();
    const nonce = await nonceFor(wallet.address);
    const message = siweMessage({ address: wallet.address, nonce });
    const before = await accountCount();
    const forged = await attempt(message, await Wallet.createRandom().signMessage(message));
    expect(errorCode(forged)).toBe('INVALID_SIGNATURE');
    expect(await accountCount()).toBe(before);
    const genuine = await attempt(message, await wallet.signMessage(message));
    expect(genuine.data.signIn.accessToken).toEqual(expect.any(String));
  });

  it.each([
    ['another domain', { domain: 'evil.example' }],
    ['another chain id', { chainId: 1 }],
    ['an expired message', { expirationTime: new Date(Date.now() - 1000).toISOString() }],
  ])('refuses a message for %s', async (_name, override) => {
    const wallet = Wallet.createRandom();
    const nonce = await nonceFor(wallet.address);
    const message = siweMessage({ address: wallet.address, nonce, ...override });
    const res = await attempt(message, await wallet.signMessage(message));
    expect(errorCode(res)).toBe('INVALID_SIGNATURE');
    expect(res.data).toBeNull();
  });

  it('refuses a reused nonce', async () => {
    const wallet = Wallet.createRandom();
    const message = siweMessage({ address: wallet.address, nonce: await nonceFor(wallet.address) });
    const signature = await wallet.signMessage(message);
    expect((await attempt(message, signature)).data.signIn).toBeTruthy();
    expect(errorCode(await attempt(message, signature))).toBe('INVALID_NONCE');
  });

  it('lets only one of many concurrent sign-ins with one nonce through', async () => {
    const wallet = Wallet.createRandom();
    const message = siweMessage({ address: wallet.address, nonce: await nonceFor(wallet.address) });
    const signature = await wallet.signMessage(message);
    const results = await Promise.all(Array.from({ length: 8 }, () => attempt(message, signature)));
    expect(results.filter((r) => r.data?.signIn).length).toBe(1);
    expect(results.filter((r) => errorCode(r) === 'INVALID_NONCE').length).toBe(7);
  });

  it('refuses an unknown nonce and a nonce issued to another address', async () => {
    const wallet = Wallet.createRandom();
    const unknown = siweMessage({ address: wallet.address, nonce: 'abcdef0123456789abcdef01' });
    expect(errorCode(await attempt(unknown, await wallet.signMessage(unknown)))).toBe('INVALID_NONCE');
    const othersNonce = await nonceFor(Wallet.createRandom().address);
    const stolen = siweMessage({ address: wallet.address, nonce: othersNonce });
    expect(errorCode(await attempt(stolen, await wallet.signMessage(stolen)))).toBe('INVALID_NONCE');
  });

  it('refuses an expired nonce', async () => {
    const wallet = Wallet.createRandom();
    const nonce = await nonceFor(wallet.address);
    await app.dataSource.query(`UPDATE auth_nonces SET expires_at = now() - interval '1 second' WHERE nonce = $1`, [
      nonce,
    ]);
    const message = siweMessage({ address: wallet.address, nonce });
    expect(errorCode(await attempt(message, await wallet.signMessage(message)))).toBe('INVALID_NONCE');
  });

  it('refuses garbage messages and signatures with a clear code', async () => {
    expect(errorCode(await attempt('hello', '0x1234'))).toBe('INVALID_SIGNATURE');
    const wallet = Wallet.createRandom();
    const message = siweMessage({ address: wallet.address, nonce: await nonceFor(wallet.address) });
    expect(errorCode(await attempt(message, '0xdeadbeef'))).toBe('INVALID_SIGNATURE');
  });

  it('refuses a malformed address when asking for a nonce', async () => {
    const res = await gql(app, { query: 'mutation { requestSignInNonce(address: "0x123") }' });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});
