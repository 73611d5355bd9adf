import { SiweMessage } from 'siwe';

// The Sign-In with Ethereum message a client signs for `signIn` (EIP-4361): one builder for the
// clients this project ships (the simulation, the tests), so they all send what siwe-check.ts reads.
export function siweMessage(params: {
  address: string;
  nonce: string;
  chainId: number;
  /** Must equal the service's SIWE_DOMAIN. */
  domain: string;
  uri: string;
  expirationTime?: string;
}): string {
  return new SiweMessage({
    domain: params.domain,
    address: params.address,
    statement: 'Sign in to Labelchain',
    uri: params.uri,
    version: '1',
    chainId: params.chainId,
    nonce: params.nonce,
    issuedAt: new Date().toISOString(),
    expirationTime: params.expirationTime,
  }).prepareMessage();
}
