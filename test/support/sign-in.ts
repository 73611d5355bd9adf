import { Wallet } from 'ethers';
import { siweMessage as buildSiweMessage } from '../../src/auth/siwe-message';
import type { DataSource } from 'typeorm';
import type { Role } from '../../src/auth/role';
import { gql } from './gql';
import type { TestApp } from './test-app';

export interface SignedInUser {
  wallet: Wallet;
  id: string;
  token: string;
  address: string;
}

export function siweMessage(params: {
  address: string;
  nonce: string;
  domain?: string;
  chainId?: number;
  expirationTime?: string;
}): string {
  const domain = params.domain ?? 'localhost';
  return buildSiweMessage({ ...params, domain, uri: `http://${domain}`, chainId: params.chainId ?? 31337 });
}

export async function signIn(
  app: TestApp,
  wallet: Wallet = Wallet.createRandom() as unknown as Wallet,
): Promise<SignedInUser> {
  const nonceRes = await gql(app, {
    query: 'mutation($a: String!) { requestSignInNonce(address: $a) }',
    variables: { a: wallet.address },
  });
  const nonce = nonceRes.data.requestSignInNonce as string;
  const message = siweMessage({ address: wallet.address, nonce, chainId: app.config.chain?.chainId ?? 31337 });
  const signature = await wallet.signMessage(message);
  const res = await gql(app, {
    query:
      'mutation($m: String!, $s: String!) { signIn(message: $m, signature: $s) { accessToken account { id address } } }',
    variables: { m: message, s: signature },
  });
  if (!res.data?.signIn) throw new Error(`sign-in failed: ${JSON.stringify(res.errors)}`);
  return {
    wallet,
    id: res.data.signIn.account.id,
    token: res.data.signIn.accessToken,
    address: res.data.signIn.account.address,
  };
}

// Test shortcut for role setup; the grantRole mutation itself is covered by the auth tests.
export async function giveRoles(dataSource: DataSource, accountId: string, roles: Role[]): Promise<void> {
  await dataSource.query(`UPDATE accounts SET roles = $2::account_role[] WHERE id = $1`, [accountId, roles]);
}

export async function signInAs(app: TestApp, roles: Role[]): Promise<SignedInUser> {
  const user = await signIn(app);
  await giveRoles(app.dataSource, user.id, roles);
  return user;
}
