// Pure: is the chain in front of the service the one its database was built on? Money in the
// database (confirmed deposits, paid batches) only means something on that chain; on another one
// a confirmed payout "left the chain", is sent again and the ledger no longer matches the tokens.

/** keccak256 of empty code: what an address without a contract has. */
export const EMPTY_CODE_HASH = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470';

export interface ChainIdentity {
  chainId: number;
  genesisHash: string;
  /** A block old enough not to be reorged away when it was recorded, and its hash. */
  anchorBlock: number;
  anchorHash: string;
  tokenAddress: string;
  vaultAddress: string;
  tokenCodeHash: string;
  vaultCodeHash: string;
}

/** What the chain shows now; `anchorHash` is its hash of the recorded anchor block (null: no such block yet). */
export type ObservedChain = Omit<ChainIdentity, 'anchorBlock' | 'anchorHash'> & { anchorHash: string | null };

/** The block to anchor on when a database first meets a chain: `reorgWindow` blocks below the head. */
export function anchorBlockFor(params: { head: number; reorgWindow: number }): number {
  return Math.max(0, params.head - params.reorgWindow);
}

/** Why the observed chain is not the recorded one, in words for one log line; null when it is. */
export function chainIdentityMismatch(recorded: ChainIdentity, observed: ObservedChain): string | null {
  if (observed.chainId !== recorded.chainId)
    return `its chain id is ${observed.chainId}, the database's chain is ${recorded.chainId}`;
  if (observed.genesisHash !== recorded.genesisHash)
    return `its genesis block is ${observed.genesisHash}, the database's chain began with ${recorded.genesisHash}`;
  if (observed.anchorHash === null) return `it has no block ${recorded.anchorBlock}, which the database's chain had`;
  if (observed.anchorHash !== recorded.anchorHash)
    return `its block ${recorded.anchorBlock} is ${observed.anchorHash}, the database's chain had ${recorded.anchorHash}`;
  for (const [name, variable] of [
    ['token', 'TOKEN_ADDRESS'],
    ['vault', 'VAULT_ADDRESS'],
  ] as const) {
    const address = observed[`${name}Address`];
    if (address !== recorded[`${name}Address`])
      return `${variable} is ${address}, the database was built with ${recorded[`${name}Address`]}`;
    const code = observed[`${name}CodeHash`];
    if (code === EMPTY_CODE_HASH) return `there is no contract at the ${name} address ${address}`;
    if (code !== recorded[`${name}CodeHash`])
      return `the ${name} at ${address} runs other code than the one the database was built with`;
  }
  return null;
}
