// The canonical record of one refund (PayoutVault.refund), hashed like a payout manifest so the
// stored row cannot be altered between its creation and its (re)sends. Pure.
//
// Canonical form = JSON.stringify of exactly, keys in this order, no whitespace:
//   {"version":1,"kind":"refund","chainId":<int>,"vault":"0x…","token":"0x…","refundId":"0x…",
//    "datasetId":"<uuid>","datasetKey":"0x…","to":"0x…","amount":"<decimal base units>"}
// hex lower-case; amount > 0.

export interface RefundManifest {
  version: 1;
  kind: 'refund';
  chainId: number;
  vault: string;
  token: string;
  refundId: string;
  datasetId: string;
  datasetKey: string;
  to: string;
  amount: bigint;
}

const ADDRESS = /^0x[0-9a-f]{40}$/;
const BYTES32 = /^0x[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNITS = /^[1-9]\d*$/;

export function buildRefundManifest(params: Omit<RefundManifest, 'version' | 'kind'>): RefundManifest {
  const m: RefundManifest = {
    version: 1,
    kind: 'refund',
    chainId: params.chainId,
    vault: params.vault.toLowerCase(),
    token: params.token.toLowerCase(),
    refundId: params.refundId.toLowerCase(),
    datasetId: params.datasetId.toLowerCase(),
    datasetKey: params.datasetKey.toLowerCase(),
    to: params.to.toLowerCase(),
    amount: params.amount,
  };
  const problem = refundManifestProblem(m);
  if (problem !== null) throw new RangeError(`invalid refund manifest: ${problem}`);
  return m;
}

export function refundManifestProblem(m: RefundManifest): string | null {
  if (m.version !== 1 || m.kind !== 'refund') return 'not a version 1 refund manifest';
  if (!Number.isSafeInteger(m.chainId) || m.chainId <= 0) return 'chainId must be a positive integer';
  if (![m.vault, m.token, m.to].every((a) => ADDRESS.test(a)))
    return 'vault, token and to must be lower-case addresses';
  if (!BYTES32.test(m.refundId) || !BYTES32.test(m.datasetKey))
    return 'refundId and datasetKey must be lower-case 32-byte hex';
  if (!UUID.test(m.datasetId)) return 'datasetId must be a lower-case uuid';
  if (m.amount <= 0n) return 'amount must be positive';
  return null;
}

export function canonicalRefundJson(m: RefundManifest): string {
  const problem = refundManifestProblem(m);
  if (problem !== null) throw new RangeError(`invalid refund manifest: ${problem}`);
  return JSON.stringify({
    version: m.version,
    kind: m.kind,
    chainId: m.chainId,
    vault: m.vault,
    token: m.token,
    refundId: m.refundId,
    datasetId: m.datasetId,
    datasetKey: m.datasetKey,
    to: m.to,
    amount: m.amount.toString(),
  });
}

export function parseRefundManifest(text: string): RefundManifest {
  const o = JSON.parse(text) as Record<string, unknown>;
  const str = (k: string): string => {
    if (typeof o[k] !== 'string') throw new RangeError(`${k} must be a string`);
    return o[k] as string;
  };
  const amount = str('amount');
  if (!UNITS.test(amount)) throw new RangeError('amount must be a positive decimal string of base units');
  const m = {
    version: Number(o.version),
    kind: str('kind'),
    chainId: Number(o.chainId),
    vault: str('vault'),
    token: str('token'),
    refundId: str('refundId'),
    datasetId: str('datasetId'),
    datasetKey: str('datasetKey'),
    to: str('to'),
    amount: BigInt(amount),
  } as RefundManifest;
  const problem = refundManifestProblem(m);
  if (problem !== null) throw new RangeError(`invalid refund manifest: ${problem}`);
  return m;
}
