import { batchIdOf, manifestHashOf } from './manifest-hash';
import { buildManifest, canonicalManifestJson, manifestProblem, parseManifest, type Manifest } from './manifest';

const A = '0x' + 'a'.repeat(40);
const B = '0x' + 'b'.repeat(40);
const base = {
  chainId: 31337,
  vault: '0x' + '1'.repeat(40),
  token: '0x' + '2'.repeat(40),
  batchId: '0x' + 'c'.repeat(64),
};
const U1 = '00000000-0000-4000-8000-000000000001';
const U2 = '00000000-0000-4000-8000-000000000002';

describe('canonical manifest', () => {
  it('sorts recipients and ids, computes the total and prints the documented form', () => {
    const manifest = buildManifest({
      ...base,
      vault: base.vault.toUpperCase().replace('0X', '0x'),
      recipients: [
        { address: B.toUpperCase().replace('0X', '0x'), amount: 5n, assignments: [U2, U1], reversals: [] },
        { address: A, amount: 10n ** 18n, assignments: [U1], reversals: [U2] },
      ],
    });
    expect(canonicalManifestJson(manifest)).toBe(
      `{"version":1,"chainId":31337,"vault":"${base.vault}","token":"${base.token}","batchId":"${base.batchId}","total":"1000000000000000005",` +
        `"recipients":[{"address":"${A}","amount":"1000000000000000000","assignments":["${U1}"],"reversals":["${U2}"]},` +
        `{"address":"${B}","amount":"5","assignments":["${U1}","${U2}"],"reversals":[]}]}`,
    );
  });

  it('round-trips through JSON to the same hash (what verify-payout relies on)', () => {
    const manifest = buildManifest({
      ...base,
      recipients: [{ address: A, amount: 7n, assignments: [U1], reversals: [] }],
    });
    const text = canonicalManifestJson(manifest);
    const reparsed = parseManifest(JSON.parse(text));
    expect(canonicalManifestJson(reparsed)).toBe(text);
    expect(manifestHashOf(reparsed)).toBe(manifestHashOf(manifest));
  });

  it.each<[string, (m: Manifest) => Manifest, RegExp]>([
    ['a wrong total', (m) => ({ ...m, total: m.total + 1n }), /total/],
    ['unsorted recipients', (m) => ({ ...m, recipients: [...m.recipients].reverse() }), /ascending/],
    [
      'a duplicate recipient',
      (m) => ({ ...m, recipients: [m.recipients[0], m.recipients[0]], total: m.recipients[0].amount * 2n }),
      /unique/,
    ],
    ['a zero amount', (m) => ({ ...m, recipients: [{ ...m.recipients[0], amount: 0n }], total: 0n }), /positive/],
    [
      'an upper-case address',
      (m) => ({ ...m, recipients: [{ ...m.recipients[0], address: A.toUpperCase() }], total: m.recipients[0].amount }),
      /lower-case/,
    ],
    [
      'unsorted ids',
      (m) => ({ ...m, recipients: [{ ...m.recipients[0], assignments: [U2, U1] }], total: m.recipients[0].amount }),
      /sorted/,
    ],
    ['no recipients', (m) => ({ ...m, recipients: [], total: 0n }), /no recipients/],
    ['another version', (m) => ({ ...m, version: 2 }), /version/],
  ])('refuses %s', (_name, mutate, message) => {
    const manifest = buildManifest({
      ...base,
      recipients: [
        { address: A, amount: 3n, assignments: [U1], reversals: [] },
        { address: B, amount: 4n, assignments: [U2], reversals: [] },
      ],
    });
    const bad = mutate(manifest);
    expect(manifestProblem(bad)).toMatch(message);
    expect(() => canonicalManifestJson(bad)).toThrow(RangeError);
  });

  it.each([
    [{ recipients: 'x' }],
    [{ ...base, version: 1, total: '01', recipients: [] }],
    [{ ...base, version: 1, total: '1', recipients: [{ address: A, amount: 1, assignments: [], reversals: [] }] }],
    [{ ...base, version: 1, total: '-1', recipients: [] }],
  ])('parseManifest refuses malformed JSON %#', (value) => {
    expect(() => parseManifest(value)).toThrow(RangeError);
  });
});

describe('batchIdOf', () => {
  it.each([
    // keccak256("") is the well-known c5d2…a470; a uuid hashes as its lower-case text.
    ['', '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'],
  ])('hashes the UTF-8 text %p', (text, hash) => {
    expect(batchIdOf(text)).toBe(hash);
  });

  it('ignores the case of the uuid', () => {
    expect(batchIdOf(U1.toUpperCase())).toBe(batchIdOf(U1));
    expect(batchIdOf(U1)).not.toBe(batchIdOf(U2));
  });
});
