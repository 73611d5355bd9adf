import { Role } from '../../src/auth/role';
import { CREATE, datasetInput } from '../datasets/dataset-fixtures';
import { errorCode, gql } from '../support/gql';
import { signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';

// Each api process keeps an account's roles and block state for PRINCIPAL_CACHE_MS. Two app
// instances on one database stand for two api replicas: a change made through one must be in
// force on the other as soon as the mutation has answered, although the other has the account
// cached from a request made just before.
describe('role and block changes across two api instances', () => {
  let a: TestApp;
  let b: TestApp;
  let admin: SignedInUser;
  beforeAll(async () => {
    a = await startTestApp({ env: { SIGN_IN_RATE_LIMIT: '1000', PRINCIPAL_CACHE_MS: '1000' } });
    b = await startTestApp({ shareWith: a });
    admin = await signInAs(a, [Role.ADMIN, Role.LABELER]);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const ME = '{ me { id } }';
  const createDataset = (app: TestApp, user: SignedInUser) =>
    gql(app, { query: CREATE, variables: { input: datasetInput() }, token: user.token });
  const asAdmin = (query: string, variables: Record<string, unknown>) =>
    gql(a, { query, variables, token: admin.token });

  it('refuses a revoked role on the other instance once revokeRole has answered', async () => {
    const user = await signInAs(a, [Role.LABELER, Role.REQUESTER]);
    expect((await createDataset(b, user)).data?.createDataset.id).toEqual(expect.any(String)); // b now holds the account
    const revoked = await asAdmin('mutation($id: ID!) { revokeRole(accountId: $id, role: REQUESTER) { roles } }', {
      id: user.id,
    });
    expect(revoked.data.revokeRole.roles).toEqual(['LABELER']);
    expect(errorCode(await createDataset(b, user))).toBe('FORBIDDEN');
  });

  it('refuses a blocked account on the other instance once setAccountBlocked has answered, and lets it back in on unblock', async () => {
    const user = await signInAs(a, [Role.LABELER]);
    expect((await gql(b, { query: ME, token: user.token })).data?.me.id).toBe(user.id);
    await asAdmin('mutation($id: ID!) { setAccountBlocked(accountId: $id, blocked: true) { id } }', { id: user.id });
    expect(errorCode(await gql(b, { query: ME, token: user.token }))).toBe('ACCOUNT_BLOCKED');
    expect(errorCode(await gql(a, { query: ME, token: user.token }))).toBe('ACCOUNT_BLOCKED');
    await asAdmin('mutation($id: ID!) { setAccountBlocked(accountId: $id, blocked: false) { id } }', { id: user.id });
    expect((await gql(b, { query: ME, token: user.token })).data?.me.id).toBe(user.id);
  });

  it('takes a granted role into effect on the other instance once grantRole has answered', async () => {
    const user = await signInAs(a, [Role.LABELER]);
    expect(errorCode(await createDataset(b, user))).toBe('FORBIDDEN');
    await asAdmin('mutation($id: ID!) { grantRole(accountId: $id, role: REQUESTER) { id } }', { id: user.id });
    expect((await createDataset(b, user)).data?.createDataset.id).toEqual(expect.any(String));
  });
});
