// What the example scripts share: the API address, a GraphQL call that throws on an error with its
// code, and Sign-In with Ethereum for a wallet. Run the scripts from the project folder (they use
// its node_modules: ethers and siwe).
import { Wallet } from 'ethers';
import { SiweMessage } from 'siwe';

export const API = process.env.API ?? 'http://localhost:3000';

export class GqlError extends Error {
  constructor(error) {
    super(`${error.extensions?.code}: ${error.message}`);
    this.code = error.extensions?.code;
    this.details = error.extensions?.details;
  }
}

export async function gql(query, variables = {}, token) {
  const res = await fetch(`${API}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new GqlError(body.errors[0]);
  return body.data;
}

/** Signs `wallet` in; returns { token, account }. The chain id comes from chainInfo. */
export async function signIn(wallet) {
  const { chainInfo } = await gql('{ chainInfo { chainId } }');
  const { requestSignInNonce: nonce } = await gql('mutation($a: String!) { requestSignInNonce(address: $a) }', {
    a: wallet.address,
  });
  const message = new SiweMessage({
    domain: new URL(API).hostname,
    address: wallet.address,
    statement: 'Sign in to Labelchain',
    uri: API,
    version: '1',
    chainId: chainInfo.chainId,
    nonce,
  }).prepareMessage();
  const { signIn: result } = await gql(
    'mutation($m: String!, $s: String!) { signIn(message: $m, signature: $s) { accessToken account { id address roles } } }',
    { m: message, s: await wallet.signMessage(message) },
  );
  return { token: result.accessToken, account: result.account };
}

/** PRIVATE_KEY from the environment, or a new wallet (its key printed to stderr, to reuse it). */
export function walletFromEnv() {
  if (process.env.PRIVATE_KEY) return new Wallet(process.env.PRIVATE_KEY.trim());
  const wallet = Wallet.createRandom();
  process.stderr.write(`new wallet ${wallet.address}; to sign in as it again: PRIVATE_KEY=${wallet.privateKey}\n`);
  return wallet;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
