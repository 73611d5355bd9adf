// chainInfo.rpcUrl is public. Hosted RPC URLs carry the provider key in the path, the query or
// the user part (…/v3/<key>, ?apikey=…, https://user:key@…), so without CHAIN_PUBLIC_RPC_URL
// only what cannot hold a key is published.

/** The publishable form of an RPC URL: unchanged when it has nothing that can hold a key, else its origin. */
export function publishableRpcUrl(rpcUrl: string): { url: string; trimmed: boolean } {
  const parsed = new URL(rpcUrl);
  const bare =
    parsed.username === '' &&
    parsed.password === '' &&
    (parsed.pathname === '' || parsed.pathname === '/') &&
    parsed.search === '' &&
    parsed.hash === '';
  if (bare) return { url: rpcUrl, trimmed: false };
  return { url: `${parsed.protocol}//${parsed.host}`, trimmed: true };
}
