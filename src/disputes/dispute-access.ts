import type { DisputeRow } from './dispute-row';

// Who may see and do what with a case. Pure predicates over plain data.
//  - the reviewer holding a live lease, and ADMIN, see the whole case (disputeCase);
//  - an APPEAL's assignment id names the appellant's work: only the appellant, the dataset owner
//    and ADMIN see it, never the reviewer (who judges the answers, not the person);
//  - a reviewer never decides a case they are a party to: their own appeal or flag, a dataset
//    they own, or an item they answered (the claim query applies the same rules in SQL).

export interface Viewer {
  id: string;
  roles: readonly string[];
}

export const isAdmin = (viewer: Viewer): boolean => viewer.roles.includes('ADMIN');

export function canSeeAssignmentId(viewer: Viewer, dispute: Pick<DisputeRow, 'raisedBy' | 'datasetOwnerId'>): boolean {
  return isAdmin(viewer) || viewer.id === dispute.raisedBy || viewer.id === dispute.datasetOwnerId;
}

/** disputes(...) for a caller: everything (REVIEWER, ADMIN) or the disputes of their own datasets. */
export function disputeListScope(viewer: Viewer): 'all' | 'own-datasets' {
  return isAdmin(viewer) || viewer.roles.includes('REVIEWER') ? 'all' : 'own-datasets';
}

export function isParty(
  viewer: Viewer,
  dispute: Pick<DisputeRow, 'raisedBy' | 'datasetOwnerId'>,
  answeredCaseItem: boolean,
): boolean {
  return viewer.id === dispute.raisedBy || viewer.id === dispute.datasetOwnerId || answeredCaseItem;
}
