import { buildManifest } from './manifest';
import { manifestHashOf } from './manifest-hash';
import { verifyPayout, type VerificationInput } from './payout-verification';

const A = '0x' + 'a'.repeat(40);
const B = '0x' + 'b'.repeat(40);
const VAULT = '0x' + '1'.repeat(40);
const BATCH = '0x' + 'c'.repeat(64);
const manifest = buildManifest({
  chainId: 31337,
  vault: VAULT,
  token: '0x' + '2'.repeat(40),
  batchId: BATCH,
  recipients: [
    { address: A, amount: 3n, assignments: [], reversals: [] },
    { address: B, amount: 4n, assignments: [], reversals: [] },
  ],
});
const hash = manifestHashOf(manifest);
const good: VerificationInput = {
  requestedBatchId: BATCH,
  record: { batchId: BATCH, manifestHash: hash, total: 7n, recipients: 2 },
  manifest,
  recomputedHash: hash,
  chain: {
    chainId: 31337,
    vault: VAULT,
    paid: true,
    event: { manifestHash: hash, recipients: 2n, total: 7n, txHash: '0xt', blockNumber: 5 },
    call: { batchId: BATCH, manifestHash: hash, recipients: [A, B], amounts: [3n, 4n] },
  },
};

describe('verifyPayout', () => {
  it('passes every check for a faithfully paid batch', () => {
    expect(verifyPayout(good).filter((c) => !c.ok)).toEqual([]);
  });

  it.each<[string, (i: VerificationInput) => VerificationInput, string]>([
    [
      'a manifest that does not hash to the record',
      (i) => ({ ...i, recomputedHash: '0x' + '9'.repeat(64) }),
      'manifest hash',
    ],
    ['another batch', (i) => ({ ...i, requestedBatchId: '0x' + 'd'.repeat(64) }), 'batch id'],
    ['a record total that differs', (i) => ({ ...i, record: { ...i.record, total: 8n } }), 'record matches manifest'],
    ['another chain', (i) => ({ ...i, chain: { ...i.chain, chainId: 1 } }), 'chain id'],
    ['another vault', (i) => ({ ...i, chain: { ...i.chain, vault: '0x' + '3'.repeat(40) } }), 'vault address'],
    [
      'an unpaid batch',
      (i) => ({ ...i, chain: { ...i.chain, paid: false, event: null, call: null } }),
      'vault says paid',
    ],
    [
      'an event with another manifest hash',
      (i) => ({ ...i, chain: { ...i.chain, event: { ...i.chain.event!, manifestHash: '0x' + '8'.repeat(64) } } }),
      'BatchPaid event',
    ],
    [
      'an event with another total',
      (i) => ({ ...i, chain: { ...i.chain, event: { ...i.chain.event!, total: 6n } } }),
      'BatchPaid event',
    ],
    [
      'a call paying someone else',
      (i) => ({ ...i, chain: { ...i.chain, call: { ...i.chain.call!, recipients: [A, A] } } }),
      'paid recipients and amounts',
    ],
    [
      'a call paying other amounts',
      (i) => ({ ...i, chain: { ...i.chain, call: { ...i.chain.call!, amounts: [4n, 3n] } } }),
      'paid recipients and amounts',
    ],
  ])('flags %s', (_name, mutate, failing) => {
    expect(
      verifyPayout(mutate(good))
        .filter((c) => !c.ok)
        .map((c) => c.name),
    ).toContain(failing);
  });
});
