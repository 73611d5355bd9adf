// The canonical payout manifest: what a batch pays, in a form anyone can recompute byte for
// byte and hash (manifest-hash.ts). Pure: no Nest, TypeORM or ethers.
//
// Canonical form (version 1) = JSON.stringify of exactly this object, no whitespace, keys in
// this order:
//   {"version":1,"chainId":<int>,"vault":"<0x lower-case>","token":"<0x lower-case>",
//    "batchId":"<0x 32-byte lower-case hex>","total":"<decimal base units>",
//    "recipients":[{"address":"<0x lower-case>","amount":"<decimal base units>",
//                   "assignments":["<uuid>",...],"reversals":["<uuid>",...]}, ...]}
// - recipients sorted by address ascending (lower-case hex string order), addresses unique;
// - amount: the base units paid, decimal, no sign, no leading zeros, > 0;
// - assignments: ids of the assignments whose earnings this amount pays, sorted ascending;
// - reversals: ids of assignments whose reversal (a negative entry) is netted into it, sorted;
//   amount = sum(earnings of assignments) − sum(reversals);
// - total: the sum of all amounts.

export const MANIFEST_VERSION = 1;

export interface ManifestRecipient {
  address: string;
  amount: bigint;
  assignments: string[];
  reversals: string[];
}

export interface Manifest {
  version: number;
  chainId: number;
  vault: string;
  token: string;
  batchId: string;
  total: bigint;
  recipients: ManifestRecipient[];
}

const ADDRESS = /^0x[0-9a-f]{40}$/;
const BYTES32 = /^0x[0-9a-f]{64}$/;
const UNITS = /^(0|[1-9]\d*)$/;
const ID = /^[0-9a-zA-Z:_-]{1,80}$/;

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Builds a manifest in canonical order from unordered parts; total is computed. */
export function buildManifest(params: {
  chainId: number;
  vault: string;
  token: string;
  batchId: string;
  recipients: ManifestRecipient[];
}): Manifest {
  const recipients = params.recipients
    .map((r) => ({
      address: r.address.toLowerCase(),
      amount: r.amount,
      assignments: [...r.assignments].sort(byString),
      reversals: [...r.reversals].sort(byString),
    }))
    .sort((a, b) => byString(a.address, b.address));
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    chainId: params.chainId,
    vault: params.vault.toLowerCase(),
    token: params.token.toLowerCase(),
    batchId: params.batchId.toLowerCase(),
    total: recipients.reduce((sum, r) => sum + r.amount, 0n),
    recipients,
  };
  const problem = manifestProblem(manifest);
  if (problem !== null) throw new RangeError(`invalid manifest: ${problem}`);
  return manifest;
}

/** The exact text that is hashed. Refuses a manifest that is not in canonical order. */
export function canonicalManifestJson(manifest: Manifest): string {
  const problem = manifestProblem(manifest);
  if (problem !== null) throw new RangeError(`invalid manifest: ${problem}`);
  return JSON.stringify({
    version: manifest.version,
    chainId: manifest.chainId,
    vault: manifest.vault,
    token: manifest.token,
    batchId: manifest.batchId,
    total: manifest.total.toString(),
    recipients: manifest.recipients.map((r) => ({
      address: r.address,
      amount: r.amount.toString(),
      assignments: r.assignments,
      reversals: r.reversals,
    })),
  });
}

/** null when the manifest is canonical and self-consistent, else what is wrong. */
export function manifestProblem(m: Manifest): string | null {
  if (m.version !== MANIFEST_VERSION) return `unsupported version ${m.version}`;
  if (!Number.isSafeInteger(m.chainId) || m.chainId <= 0) return 'chainId must be a positive integer';
  if (!ADDRESS.test(m.vault) || !ADDRESS.test(m.token)) return 'vault and token must be lower-case addresses';
  if (!BYTES32.test(m.batchId)) return 'batchId must be lower-case 32-byte hex';
  if (m.recipients.length === 0) return 'no recipients';
  let sum = 0n;
  for (const [i, r] of m.recipients.entries()) {
    if (!ADDRESS.test(r.address)) return `recipient ${i}: address must be lower-case hex`;
    if (i > 0 && byString(m.recipients[i - 1].address, r.address) >= 0)
      return `recipient ${i}: addresses must be unique and ascending`;
    if (r.amount <= 0n) return `recipient ${i}: amount must be positive`;
    for (const list of [r.assignments, r.reversals]) {
      for (const [j, id] of list.entries()) {
        if (!ID.test(id)) return `recipient ${i}: bad id "${id}"`;
        if (j > 0 && byString(list[j - 1], id) > 0) return `recipient ${i}: ids must be sorted`;
      }
    }
    sum += r.amount;
  }
  if (sum !== m.total) return `total ${m.total} is not the sum of the amounts (${sum})`;
  return null;
}

/** Reads a manifest from parsed JSON (the GraphQL `manifest` field or the stored text). */
export function parseManifest(value: unknown): Manifest {
  const o = object(value, 'manifest');
  const recipients = array(o.recipients, 'recipients').map((raw, i) => {
    const r = object(raw, `recipients[${i}]`);
    return {
      address: string(r.address, 'address'),
      amount: units(r.amount, 'amount'),
      assignments: strings(r.assignments, 'assignments'),
      reversals: strings(r.reversals, 'reversals'),
    };
  });
  return {
    version: Number(o.version),
    chainId: Number(o.chainId),
    vault: string(o.vault, 'vault'),
    token: string(o.token, 'token'),
    batchId: string(o.batchId, 'batchId'),
    total: units(o.total, 'total'),
    recipients,
  };
}

function object(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RangeError(`${what} must be an object`);
  return v as Record<string, unknown>;
}
function array(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new RangeError(`${what} must be an array`);
  return v;
}
function string(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new RangeError(`${what} must be a string`);
  return v;
}
function strings(v: unknown, what: string): string[] {
  return array(v, what).map((s) => string(s, what));
}
function units(v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !UNITS.test(v)) throw new RangeError(`${what} must be a decimal string of base units`);
  return BigInt(v);
}
