import {
  EMPTY_CODE_HASH,
  anchorBlockFor,
  chainIdentityMismatch,
  type ChainIdentity,
  type ObservedChain,
} from './chain-identity';

const hash = (c: string): string => `0x${c.repeat(64)}`;
const RECORDED: ChainIdentity = {
  chainId: 31337,
  genesisHash: hash('a'),
  anchorBlock: 40,
  anchorHash: hash('b'),
  tokenAddress: `0x${'1'.repeat(40)}`,
  vaultAddress: `0x${'2'.repeat(40)}`,
  tokenCodeHash: hash('c'),
  vaultCodeHash: hash('d'),
};
const SAME: ObservedChain = { ...RECORDED, anchorHash: RECORDED.anchorHash };

describe('chainIdentityMismatch', () => {
  it('accepts the same chain', () => {
    expect(chainIdentityMismatch(RECORDED, SAME)).toBeNull();
  });

  it.each<[string, Partial<ObservedChain>, RegExp]>([
    ['another chain id', { chainId: 1 }, /chain id is 1/],
    ['a restarted chain (new genesis)', { genesisHash: hash('e') }, /genesis block/],
    ['a chain that has not reached the anchor', { anchorHash: null }, /no block 40/],
    ['a chain that forked before the anchor', { anchorHash: hash('f') }, /block 40 is/],
    ['another vault address', { vaultAddress: `0x${'3'.repeat(40)}` }, /VAULT_ADDRESS is 0x3{40}/],
    ['another token address', { tokenAddress: `0x${'4'.repeat(40)}` }, /TOKEN_ADDRESS is 0x4{40}/],
    ['no contract at the vault address', { vaultCodeHash: EMPTY_CODE_HASH }, /no contract at the vault/],
    ['other code at the token address', { tokenCodeHash: hash('9') }, /token at .* runs other code/],
  ])('refuses %s', (_name, change, reason) => {
    expect(chainIdentityMismatch(RECORDED, { ...SAME, ...change })).toMatch(reason);
  });
});

describe('anchorBlockFor', () => {
  it.each([
    [1000, 64, 936],
    [10, 64, 0],
    [0, 64, 0],
  ])('head %i, window %i: block %i', (head, reorgWindow, anchor) => {
    expect(anchorBlockFor({ head, reorgWindow })).toBe(anchor);
  });
});
