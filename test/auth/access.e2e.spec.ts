import { sign } from 'jsonwebtoken';
import { Role } from '../../src/auth/role';
import { errorCode, gql } from '../support/gql';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';

describe('access control', () => {
  let app: TestApp;
  let admin: SignedInUser;
  let labeler: SignedInUser;
  beforeAll(async () => {
    app = await startTestApp({ env: { SIGN_IN_RATE_LIMIT: '1000' } });
    admin = await signInAs(app, [Role.ADMIN, Role.LABELER]);
    labeler = await signIn(app);
  });
  afterAll(() => app.close());

  const ME = '{ me { id roles blocked } }';
  const rolesOf = async (id: string): Promise<string[]> =>
    (await app.dataSource.query('SELECT roles::text[] AS roles FROM accounts WHERE id = $1', [id]))[0].roles;

  describe('JWT', () => {
    it('refuses calls without credentials', async () => {
      expect(errorCode(await gql(app, { query: ME }))).toBe('UNAUTHENTICATED');
    });

    it('refuses a tampered token', async () => {
      const [header, payload, signature] = labeler.token.split('.');
      const forgedPayload = Buffer.from(JSON.stringify({ sub: admin.id, iat: Math.floor(Date.now() / 1000) })).toString(
        'base64url',
      );
      expect(errorCode(await gql(app, { query: ME, token: `${header}.${forgedPayload}.${signature}` }))).toBe(
        'UNAUTHENTICATED',
      );
      expect(errorCode(await gql(app, { query: ME, token: `${header}.${payload}.${signature.slice(0, -2)}xx` }))).toBe(
        'UNAUTHENTICATED',
      );
    });

    it('refuses an expired token and one signed with another secret', async () => {
      const expired = sign({ sub: labeler.id, exp: Math.floor(Date.now() / 1000) - 60 }, app.config.jwtSecret, {
        algorithm: 'HS256',
      });
      expect(errorCode(await gql(app, { query: ME, token: expired }))).toBe('UNAUTHENTICATED');
      const foreign = sign({ sub: labeler.id }, 'another-secret-another-secret-another', {
        algorithm: 'HS256',
        expiresIn: 600,
      });
      expect(errorCode(await gql(app, { query: ME, token: foreign }))).toBe('UNAUTHENTICATED');
    });

    // Accepted tokens are remembered (VerifiedTokenCache): what was accepted once must still expire,
    // and a copy with another signature must still be checked.
    it('refuses a token it accepted before once the token expires, and a re-signed copy of it', async () => {
      const exp = Math.floor(Date.now() / 1000) + 60;
      const token = sign({ sub: labeler.id, exp }, app.config.jwtSecret, { algorithm: 'HS256' });
      expect((await gql(app, { query: ME, token })).data?.me.id).toBe(labeler.id);
      expect((await gql(app, { query: ME, token })).data?.me.id).toBe(labeler.id);
      const [header, payload] = token.split('.');
      const foreign = sign({ sub: labeler.id, exp }, 'another-secret-another-secret-another', { algorithm: 'HS256' });
      expect(errorCode(await gql(app, { query: ME, token: `${header}.${payload}.${foreign.split('.')[2]}` }))).toBe(
        'UNAUTHENTICATED',
      );
      const clock = jest.spyOn(Date, 'now').mockReturnValue(exp * 1000);
      try {
        expect(errorCode(await gql(app, { query: ME, token }))).toBe('UNAUTHENTICATED');
      } finally {
        clock.mockRestore();
      }
    });

    it('refuses a correctly signed token whose subject is not an account id', async () => {
      for (const sub of ['not-a-uuid', '00000000-0000-4000-8000-000000000000', "x' OR '1'='1"]) {
        const token = sign({ sub }, app.config.jwtSecret, { algorithm: 'HS256', expiresIn: 600 });
        expect(errorCode(await gql(app, { query: ME, token }))).toBe('UNAUTHENTICATED');
      }
    });
  });

  describe('roles', () => {
    it('refuses a LABELER calling ADMIN mutations and changes nothing', async () => {
      const res = await gql(app, {
        query: 'mutation($id: ID!) { grantRole(accountId: $id, role: ADMIN) { id } }',
        variables: { id: labeler.id },
        token: labeler.token,
      });
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(await rolesOf(labeler.id)).toEqual(['LABELER']);
      const block = await gql(app, {
        query: 'mutation($id: ID!) { setAccountBlocked(accountId: $id, blocked: true) { id } }',
        variables: { id: admin.id },
        token: labeler.token,
      });
      expect(errorCode(block)).toBe('FORBIDDEN');
    });

    it('lets an ADMIN grant and revoke roles, with an audit entry each', async () => {
      const user = await signIn(app);
      const granted = await gql(app, {
        query: 'mutation($id: ID!) { grantRole(accountId: $id, role: REQUESTER) { roles } }',
        variables: { id: user.id },
        token: admin.token,
      });
      expect(granted.data.grantRole.roles.sort()).toEqual(['LABELER', 'REQUESTER']);
      const again = await gql(app, {
        query: 'mutation($id: ID!) { grantRole(accountId: $id, role: REQUESTER) { roles } }',
        variables: { id: user.id },
        token: admin.token,
      });
      expect(again.data.grantRole.roles.sort()).toEqual(['LABELER', 'REQUESTER']);
      const revoked = await gql(app, {
        query: 'mutation($id: ID!) { revokeRole(accountId: $id, role: REQUESTER) { roles } }',
        variables: { id: user.id },
        token: admin.token,
      });
      expect(revoked.data.revokeRole.roles).toEqual(['LABELER']);
      const [{ n }] = await app.dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE subject = $1`, [
        `account:${user.id}`,
      ]);
      expect(n).toBe(3);
    });

    it('takes a granted role into effect on the next call with the same token', async () => {
      const user = await signIn(app);
      await gql(app, {
        query: 'mutation($id: ID!) { grantRole(accountId: $id, role: REVIEWER) { id } }',
        variables: { id: user.id },
        token: admin.token,
      });
      expect((await gql(app, { query: ME, token: user.token })).data.me.roles.sort()).toEqual(['LABELER', 'REVIEWER']);
    });

    it('answers NOT_FOUND for an unknown account and leaves ADMIN to ADMIN_ADDRESSES: no grant, no revoke, not even by an ADMIN', async () => {
      const unknown = await gql(app, {
        query: 'mutation { grantRole(accountId: "00000000-0000-0000-0000-000000000000", role: REVIEWER) { id } }',
        token: admin.token,
      });
      expect(errorCode(unknown)).toBe('NOT_FOUND');
      const self = await gql(app, {
        query: 'mutation($id: ID!) { revokeRole(accountId: $id, role: ADMIN) { id } }',
        variables: { id: admin.id },
        token: admin.token,
      });
      expect(errorCode(self)).toBe('FORBIDDEN');
      expect(await rolesOf(admin.id)).toContain('ADMIN');
      const user = await signIn(app);
      const grant = await gql(app, {
        query: 'mutation($id: ID!) { grantRole(accountId: $id, role: ADMIN) { id } }',
        variables: { id: user.id },
        token: admin.token,
      });
      expect(errorCode(grant)).toBe('FORBIDDEN');
      expect(grant.errors?.[0].message).toMatch(/ADMIN_ADDRESSES/);
      expect(await rolesOf(user.id)).toEqual(['LABELER']);
    });
  });

  describe('blocked accounts', () => {
    it('are refused at once, with a still-valid JWT and with an API key, and can be unblocked', async () => {
      const user = await signIn(app);
      const key = (await gql(app, { query: 'mutation { createApiKey(name: "script") { key } }', token: user.token }))
        .data.createApiKey.key;
      const block = await gql(app, {
        query: 'mutation($id: ID!) { setAccountBlocked(accountId: $id, blocked: true) { blocked } }',
        variables: { id: user.id },
        token: admin.token,
      });
      expect(block.data.setAccountBlocked.blocked).toBe(true);
      expect(errorCode(await gql(app, { query: ME, token: user.token }))).toBe('ACCOUNT_BLOCKED');
      expect(errorCode(await gql(app, { query: ME, apiKey: key }))).toBe('ACCOUNT_BLOCKED');
      await expect(signIn(app, user.wallet)).rejects.toThrow(/ACCOUNT_BLOCKED/);
      await gql(app, {
        query: 'mutation($id: ID!) { setAccountBlocked(accountId: $id, blocked: false) { blocked } }',
        variables: { id: user.id },
        token: admin.token,
      });
      expect((await gql(app, { query: ME, token: user.token })).data.me.blocked).toBe(false);
    });
  });

  describe('API keys', () => {
    it('are shown once, stored hashed, work as X-API-Key and stop working when revoked', async () => {
      const user = await signIn(app);
      const created = await gql(app, {
        query: 'mutation { createApiKey(name: "ci") { id key prefix } }',
        token: user.token,
      });
      const { id, key, prefix } = created.data.createApiKey;
      expect(key).toContain(prefix);
      const stored = await app.dataSource.query('SELECT key_hash FROM api_keys WHERE id = $1', [id]);
      expect(stored[0].key_hash).not.toContain(key);
      expect(JSON.stringify(stored)).not.toContain(key);
      expect((await gql(app, { query: ME, apiKey: key })).data.me.id).toBe(user.id);
      expect(
        (
          await gql(app, {
            query: 'mutation($id: ID!) { revokeApiKey(id: $id) }',
            variables: { id },
            token: user.token,
          })
        ).data.revokeApiKey,
      ).toBe(true);
      expect(errorCode(await gql(app, { query: ME, apiKey: key }))).toBe('UNAUTHENTICATED');
    });

    it('cannot be revoked by another account', async () => {
      const owner = await signIn(app);
      const other = await signIn(app);
      const { id, key } = (
        await gql(app, { query: 'mutation { createApiKey(name: "mine") { id key } }', token: owner.token })
      ).data.createApiKey;
      expect(
        errorCode(
          await gql(app, {
            query: 'mutation($id: ID!) { revokeApiKey(id: $id) }',
            variables: { id },
            token: other.token,
          }),
        ),
      ).toBe('NOT_FOUND');
      expect((await gql(app, { query: ME, apiKey: key })).data.me.id).toBe(owner.id);
    });

    it('refuses unknown keys', async () => {
      expect(errorCode(await gql(app, { query: ME, apiKey: 'lc_00000000_nope' }))).toBe('UNAUTHENTICATED');
    });
  });
});
