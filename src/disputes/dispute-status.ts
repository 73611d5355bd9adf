import { registerEnumType } from '@nestjs/graphql';

// The enums of the disputes area, as the public contract names them.

export enum DisputeKind {
  LOW_AGREEMENT = 'LOW_AGREEMENT',
  APPEAL = 'APPEAL',
  GOLD_CONTEST = 'GOLD_CONTEST',
  REQUESTER_FLAG = 'REQUESTER_FLAG',
}

// What clients see. IN_REVIEW is not stored: it is an OPEN or ESCALATED case whose lease is live
// (see exposedStatus), so an expired lease needs no reaper to return the case to its queue.
export enum DisputeStatus {
  OPEN = 'OPEN',
  IN_REVIEW = 'IN_REVIEW',
  ESCALATED = 'ESCALATED',
  RESOLVED = 'RESOLVED',
}

export enum DisputeOutcome {
  LABEL_SET = 'LABEL_SET',
  REQUEUED = 'REQUEUED',
  APPEAL_UPHELD = 'APPEAL_UPHELD',
  APPEAL_DENIED = 'APPEAL_DENIED',
  GOLD_CHANGED = 'GOLD_CHANGED',
  GOLD_KEPT = 'GOLD_KEPT',
}

export enum GoldVerdict {
  KEEP = 'KEEP',
  CORRECT = 'CORRECT',
  RETIRE = 'RETIRE',
}

/** The stored queue state of a case: which queue holds it, or resolved. */
export type DisputeState = 'OPEN' | 'ESCALATED' | 'RESOLVED';

registerEnumType(DisputeKind, {
  name: 'DisputeKind',
  description: 'GOLD_CONTEST: raised by the system for a gold item that trusted workers keep missing.',
});
registerEnumType(DisputeStatus, { name: 'DisputeStatus' });
registerEnumType(DisputeOutcome, { name: 'DisputeOutcome' });
registerEnumType(GoldVerdict, { name: 'GoldVerdict' });
