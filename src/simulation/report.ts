// The simulation's report: what `npm run simulate` writes as JSON and renders as one HTML page.
// Plain data only (no Nest, no TypeORM, no bigint): token amounts are decimal strings in whole
// tokens (the token's own decimals), times are seconds since the run started.

export const WORKER_KINDS = ['good', 'careless', 'spammer', 'adversarial', 'colluding'] as const;
export type WorkerKind = (typeof WORKER_KINDS)[number];

export interface LabelerReport {
  /** Simulation-local name, e.g. "good-03" (never a wallet address). */
  name: string;
  kind: WorkerKind;
  /** Answers the labeler submitted (regular + gold). */
  answers: number;
  /** Share of its regular answers equal to the truth; null when it answered none. */
  accuracy: number | null;
  /** Tokens earned (paid + still owed) per the ledger. */
  earned: string;
  blocked: boolean;
  blockReason: string | null;
  /** When the product first refused it as blocked (seconds since start); null if never. */
  blockedAt: number | null;
}

export interface KindReport {
  kind: WorkerKind;
  labelers: number;
  answers: number;
  accuracy: number | null;
  earned: string;
  blocked: number;
  /** Median seconds from start until a labeler of this kind was blocked (blocked ones only). */
  medianBlockedAt: number | null;
}

export interface ProgressSample {
  t: number;
  labeledItems: number;
  answers: number;
  openDisputes: number;
  /** Tokens paid on chain so far. */
  paid: string;
}

export interface DisputeCount {
  kind: string;
  /** Outcome of resolved cases, or the status (OPEN, IN_REVIEW, ESCALATED) of the others. */
  outcome: string;
  count: number;
}

export interface ChaosEvent {
  t: number;
  /** e.g. "SIGKILL worker", "restart api-2", "RPC down", "RPC up", "reorg 3 blocks". */
  what: string;
}

export interface InvariantReport {
  name: string;
  /** How many violations were found (0 = holds). */
  violations: number;
  detail: string;
}

export interface SimulationReport {
  version: 1;
  startedAt: string;
  durationSeconds: number;
  options: {
    workers: number;
    items: number;
    reviewers: number;
    chaos: boolean;
    seed: number;
    /** "synthetic" or the answer.csv path given with --dataset. */
    source: string;
    classes: string[];
  };
  token: { symbol: string; decimals: number };
  accuracy: {
    /** Regular items with a truth that the product labeled. */
    items: number;
    /** Share of the product's final labels equal to the truth. */
    product: number;
    /** Majority vote (ties broken at random, seeded) over the same answers. */
    majorityVote: number;
    aggregation: string;
  };
  cost: {
    budget: string;
    spent: string;
    refunded: string;
    /** spent / correct final labels. */
    perCorrectLabel: string | null;
    gas: { deposit: number; payouts: number; refund: number; total: number };
    payoutBatches: number;
  };
  overlap: {
    mean: number;
    min: number;
    max: number;
    /** How many regular items got n answers. */
    histogram: { answers: number; items: number }[];
  };
  kinds: KindReport[];
  labelers: LabelerReport[];
  disputes: DisputeCount[];
  progress: ProgressSample[];
  chaos: { events: ChaosEvent[] } | null;
  invariants: InvariantReport[];
  /** What the simulated people met that they did not expect (refusals by code, reserve top-ups), with counts. */
  notes?: { what: string; count: number }[];
  reconciliation: {
    /** Sum of labelers' and reviewers' on-chain token balances gained during the run. */
    onChainReceived: string;
    /** Sum of the ledger's `paid` over the same accounts. */
    ledgerPaid: string;
    /** Tokens that left the vault: deposits − vault balance change − refund. */
    vaultOutflow: string;
    refund: string;
    budgetMinusSpent: string;
    holds: boolean;
  };
}
