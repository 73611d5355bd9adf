// A made-up but plausible report, for tests of the report page and for the README's screenshot.
// Deterministic (no randomness, no clock) so two renders of it are byte-identical.
import {
  WORKER_KINDS,
  type LabelerReport,
  type ProgressSample,
  type SimulationReport,
  type WorkerKind,
} from './report';

const ACCURACY: Record<WorkerKind, number> = {
  good: 0.93,
  careless: 0.71,
  spammer: 0.34,
  adversarial: 0.12,
  colluding: 0.41,
};
const COUNTS: Record<WorkerKind, number> = { good: 10, careless: 4, spammer: 3, adversarial: 2, colluding: 3 };
const BLOCKS: Partial<Record<WorkerKind, string>> = {
  spammer: 'gold accuracy 0.33 below 0.6 after 6 gold answers',
  adversarial: 'gold accuracy 0.10 below 0.6 after 10 gold answers',
  colluding: 'identical answers with 2 other wallets on 18 of 20 items',
};

function labelers(): LabelerReport[] {
  return WORKER_KINDS.flatMap((kind, k) =>
    Array.from({ length: COUNTS[kind] }, (_, i) => {
      const blockReason = BLOCKS[kind] ?? null;
      const answers = blockReason ? 12 + 3 * i : 60 + ((7 * i + 3 * k) % 25);
      return {
        name: `${kind}-${String(i + 1).padStart(2, '0')}`,
        kind,
        answers,
        accuracy: ACCURACY[kind] - 0.01 * (i % 3),
        earned: (answers * 0.5 * (blockReason ? 0.4 : ACCURACY[kind])).toFixed(2),
        blocked: blockReason !== null,
        blockReason,
        blockedAt: blockReason ? 20 + 7 * i + 5 * k : null,
      };
    }),
  );
}

function progress(): ProgressSample[] {
  return Array.from({ length: 31 }, (_, i) => ({
    t: i * 4,
    labeledItems: Math.round(200 * (1 - Math.exp(-i / 9))),
    answers: Math.round(1100 * (1 - Math.exp(-i / 10))),
    openDisputes: Math.max(0, Math.round(6 * Math.sin(i / 6))),
    paid: (i < 4 ? 0 : 500 * (1 - Math.exp(-(i - 4) / 9))).toFixed(2),
  }));
}

export function sampleReport(): SimulationReport {
  const people = labelers();
  const kinds = WORKER_KINDS.map((kind) => {
    const ofKind = people.filter((l) => l.kind === kind);
    const blockedAt = ofKind.flatMap((l) => (l.blockedAt === null ? [] : [l.blockedAt])).sort((a, b) => a - b);
    return {
      kind,
      labelers: ofKind.length,
      answers: ofKind.reduce((sum, l) => sum + l.answers, 0),
      accuracy: ACCURACY[kind],
      earned: ofKind.reduce((sum, l) => sum + Number(l.earned), 0).toFixed(2),
      blocked: blockedAt.length,
      medianBlockedAt: blockedAt.length ? blockedAt[Math.floor(blockedAt.length / 2)] : null,
    };
  });
  return {
    version: 1,
    startedAt: '2025-01-15T10:00:00.000Z',
    durationSeconds: 124.6,
    options: {
      workers: people.length,
      items: 200,
      reviewers: 2,
      chaos: false,
      seed: 42,
      source: 'synthetic',
      classes: ['cat', 'dog', 'bird'],
    },
    token: { symbol: 'LBL', decimals: 18 },
    accuracy: { items: 200, product: 0.955, majorityVote: 0.87, aggregation: 'dawid-skene' },
    cost: {
      budget: '600.00',
      spent: '492.50',
      refunded: '107.50',
      perCorrectLabel: '2.5785',
      gas: { deposit: 68_000, payouts: 1_240_000, refund: 41_000, total: 1_349_000 },
      payoutBatches: 9,
    },
    overlap: {
      mean: 5.4,
      min: 3,
      max: 9,
      histogram: [3, 4, 5, 6, 7, 8, 9].map((answers, i) => ({ answers, items: [22, 38, 51, 40, 27, 14, 8][i] })),
    },
    kinds,
    labelers: people,
    disputes: [
      { kind: 'LABEL', outcome: 'UPHELD', count: 4 },
      { kind: 'LABEL', outcome: 'OVERTURNED', count: 2 },
      { kind: 'BLOCK', outcome: 'IN_REVIEW', count: 1 },
    ],
    progress: progress(),
    chaos: null,
    invariants: [
      { name: 'every answer paid at most once', violations: 0, detail: 'ledger entries are unique per answer' },
      { name: 'no worker saw an item twice', violations: 0, detail: '1,100 answers checked' },
      { name: 'payouts match their manifests', violations: 0, detail: '9 batches verified' },
    ],
    reconciliation: {
      onChainReceived: '492.50',
      ledgerPaid: '492.50',
      vaultOutflow: '492.50',
      refund: '107.50',
      budgetMinusSpent: '107.50',
      holds: true,
    },
  };
}
