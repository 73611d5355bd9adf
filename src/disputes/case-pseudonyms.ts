import { createHmac } from 'node:crypto';

// The names under which a case shows its answering workers: "W1", "W2", ... in an order keyed
// by a server secret and the case id. Never an account id or a wallet address (payout manifests
// are public, so an id would lead to a wallet), and never the same order in two cases, so a
// reviewer cannot follow a worker from case to case. Without the secret the order cannot be
// recomputed from guessed ids.
export function casePseudonyms(params: {
  secret: string;
  disputeId: string;
  workerIds: readonly string[];
}): Map<string, string> {
  const keyed = [...new Set(params.workerIds)].map((id) => ({
    id,
    key: createHmac('sha256', params.secret).update(`case-pseudonym:${params.disputeId}:${id}`).digest('hex'),
  }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return new Map(keyed.map((k, i) => [k.id, `W${i + 1}`]));
}
