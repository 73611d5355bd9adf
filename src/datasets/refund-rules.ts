// When a dataset's unspent budget may go back to its owner, and how much. Pure.
//
// "Can anything more still be owed?" is decided here and nowhere else, from the facts:
//   - the dataset is COMPLETED or CANCELLED (an OPEN or PAUSED one still buys answers);
//   - no lease is ACTIVE (it may still be submitted and accepted);
//   - no assignment is SUBMITTED (waiting for its verdict: it may be accepted);
//   - the appeal window is over: `appealWindowSeconds` since the dataset's last verdict (an upheld
//     appeal pays a rejected assignment after the fact; disputes/appeal-window.ts);
//   - no dispute is open, and the dispute reserve has been released (it stays committed for
//     retroactive acceptances and review rewards until the worker releases it, once the window is
//     over and nothing is open: refunding before that would leave it behind).
// Once nothing more can be owed, what is refundable is the unspent budget, at most what on-chain
// deposits brought (admin credits are off-chain grants: never paid out as a refund), less what
// was already refunded.
import { appealWindowOver } from '../disputes/appeal-window';
import type { DatasetState } from './dataset-lifecycle';

export interface OwedFacts {
  status: DatasetState;
  /** Leases still ACTIVE. */
  activeAssignments: number;
  /** Assignments SUBMITTED, waiting for their verdict. */
  submittedAssignments: number;
  /** The appeal window (disputes): null while datasets have none. */
  appeal: { lastVerdictAt: Date | null; windowSeconds: number } | null;
  /** Disputes not yet resolved, and what is left of the dispute reserve. */
  openDisputes: number;
  disputeReserve: bigint;
  now: Date;
}

export type OwedDecision = { settled: true } | { settled: false; reason: string };

export function nothingMoreOwed(facts: OwedFacts): OwedDecision {
  if (facts.status !== 'COMPLETED' && facts.status !== 'CANCELLED')
    return {
      settled: false,
      reason: `the dataset is ${facts.status}: only a COMPLETED or CANCELLED dataset can be refunded`,
    };
  if (facts.activeAssignments > 0)
    return { settled: false, reason: `${facts.activeAssignments} lease(s) are still in progress` };
  if (facts.submittedAssignments > 0)
    return {
      settled: false,
      reason: `${facts.submittedAssignments} submitted assignment(s) are still waiting for their verdict`,
    };
  if (
    facts.appeal !== null &&
    !appealWindowOver({
      lastVerdictAt: facts.appeal.lastVerdictAt,
      appealWindowSeconds: facts.appeal.windowSeconds,
      now: facts.now,
    })
  ) {
    const closesAt = (facts.appeal.lastVerdictAt as Date).getTime() + facts.appeal.windowSeconds * 1000;
    return { settled: false, reason: `the appeal window is open until ${new Date(closesAt).toISOString()}` };
  }
  if (facts.openDisputes > 0) return { settled: false, reason: `${facts.openDisputes} dispute(s) are still open` };
  if (facts.disputeReserve > 0n)
    return {
      settled: false,
      reason:
        'the dispute reserve is still held; it is released within DISPUTE_SCAN_SECONDS once the appeal window is over',
    };
  return { settled: true };
}

export interface RefundFunds {
  budget: bigint;
  spent: bigint;
  committed: bigint;
  refunded: bigint;
  /** What credited on-chain deposits added to the budget. */
  deposited: bigint;
}

/** What refundDataset would send now (0 while anything may still be owed). */
export function refundableAmount(decision: OwedDecision, funds: RefundFunds): bigint {
  if (!decision.settled) return 0n;
  const unspent = funds.budget - funds.spent - funds.committed;
  const backed = unspent < funds.deposited ? unspent : funds.deposited;
  const refundable = backed - funds.refunded;
  return refundable > 0n ? refundable : 0n;
}
