import { Wallet } from 'ethers';
import { siweMessage } from '../auth/siwe-message';

// The simulation's only door into the product: GraphQL and REST over HTTP, as any client would.
// Requests go round-robin over the API processes; a connection that fails (a process killed or
// restarting) moves on to the next one and tries again for a while, like a client behind a load
// balancer. A GraphQL error is never retried here: it is the product's answer.

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface Session {
  token: string;
  accountId: string;
  address: string;
}

type Json = Record<string, unknown>;

const RETRY_FOR_MS = 120_000;

export class ApiClient {
  private next = 0;
  constructor(readonly urls: readonly string[]) {}

  private pickUrl(): string {
    return this.urls[this.next++ % this.urls.length];
  }

  /** fetch with failover: network errors and 502/503 answers are retried on the next process. */
  async request(path: string, init: RequestInit): Promise<Response> {
    const deadline = Date.now() + RETRY_FOR_MS;
    let delay = 50;
    for (;;) {
      try {
        const res = await fetch(`${this.pickUrl()}${path}`, init);
        if (res.status !== 502 && res.status !== 503) return res;
        await res.body?.cancel();
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`no API process answered ${path} for ${RETRY_FOR_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1000);
    }
  }

  async gql<T = Json>(query: string, variables: Json = {}, token?: string): Promise<T> {
    const res = await this.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as {
      data?: T;
      errors?: { message: string; extensions?: { code?: string; details?: Json } }[];
    };
    if (body.errors?.length) {
      const [e] = body.errors;
      throw new ApiError(e.extensions?.code ?? 'UNKNOWN', e.message, e.extensions?.details);
    }
    return body.data as T;
  }

  /** Sign-In with Ethereum: a nonce, the standard message signed by the wallet, a token. */
  async signIn(wallet: Wallet, chainId: number): Promise<Session> {
    const { requestSignInNonce: nonce } = await this.gql<{ requestSignInNonce: string }>(
      'mutation($a: String!) { requestSignInNonce(address: $a) }',
      { a: wallet.address },
    );
    const origin = this.urls[0];
    const message = siweMessage({
      domain: new URL(origin).hostname,
      uri: origin,
      address: wallet.address,
      chainId,
      nonce,
    });
    const { signIn } = await this.gql<{ signIn: { accessToken: string; account: { id: string; address: string } } }>(
      'mutation($m: String!, $s: String!) { signIn(message: $m, signature: $s) { accessToken account { id address } } }',
      { m: message, s: await wallet.signMessage(message) },
    );
    return { token: signIn.accessToken, accountId: signIn.account.id, address: signIn.account.address };
  }
}
