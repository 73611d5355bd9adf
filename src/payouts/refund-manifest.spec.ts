import { buildRefundManifest, canonicalRefundJson, parseRefundManifest } from './refund-manifest';

const base = {
  chainId: 31337,
  vault: '0xE7F1725E7734CE288F8367E1BB143E90BB3F0512',
  token: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  refundId: `0x${'ab'.repeat(32)}`,
  datasetId: '6c0f4c3e-6a53-4a35-9a1c-4a1fa9a0b1c2',
  datasetKey: `0x${'cd'.repeat(32)}`,
  to: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  amount: 1_500_000n,
};

describe('refund manifest', () => {
  it('has one canonical text, keys in order, hex lower-case, amount in base units', () => {
    expect(canonicalRefundJson(buildRefundManifest(base))).toBe(
      '{"version":1,"kind":"refund","chainId":31337,"vault":"0xe7f1725e7734ce288f8367e1bb143e90bb3f0512","token":"0x5fbdb2315678afecb367f032d93f642f64180aa3",' +
        `"refundId":"0x${'ab'.repeat(32)}","datasetId":"6c0f4c3e-6a53-4a35-9a1c-4a1fa9a0b1c2","datasetKey":"0x${'cd'.repeat(32)}","to":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","amount":"1500000"}`,
    );
  });

  it('reads back what it wrote', () => {
    const m = buildRefundManifest(base);
    expect(parseRefundManifest(canonicalRefundJson(m))).toEqual(m);
  });

  it.each([
    ['a zero amount', { amount: 0n }],
    ['a bad address', { to: '0x1234' }],
    ['a bad refund id', { refundId: '0x12' }],
    ['a bad dataset id', { datasetId: 'not-a-uuid' }],
    ['a bad chain id', { chainId: 0 }],
  ])('refuses %s', (_name, overrides) => {
    expect(() => buildRefundManifest({ ...base, ...overrides })).toThrow(RangeError);
  });

  it('refuses a stored text that was tampered with into a payout manifest', () => {
    expect(() =>
      parseRefundManifest(
        '{"version":1,"chainId":1,"vault":"0x","token":"0x","batchId":"0x","total":"1","recipients":[]}',
      ),
    ).toThrow(RangeError);
  });
});
