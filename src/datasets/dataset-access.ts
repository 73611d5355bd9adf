// Who may see and change a dataset. Pure predicates over plain data.
//  - owner and ADMIN: everything, including funding (budget, committed, spent, depositKey) and
//    progress, and every owner mutation (addItems, upload, publish, pause, resume, cancel);
//  - REVIEWER: every dataset's public fields (disputes can concern any dataset);
//  - anyone else signed in: public fields of OPEN and PAUSED datasets only, so labelers can pick
//    work; other datasets are reported as not found.
import { isPubliclyVisible, type DatasetState } from './dataset-lifecycle';

export interface Viewer {
  id: string;
  roles: readonly string[];
}

export interface DatasetRef {
  ownerId: string;
  status: DatasetState;
}

const isAdmin = (viewer: Viewer): boolean => viewer.roles.includes('ADMIN');

export function canManage(viewer: Viewer, dataset: DatasetRef): boolean {
  return dataset.ownerId === viewer.id || isAdmin(viewer);
}

// refundDataset: the owner only (not even ADMIN): the tokens go to the owner's wallet.
export function canRefund(viewer: Viewer, dataset: DatasetRef): boolean {
  return dataset.ownerId === viewer.id;
}

export function canView(viewer: Viewer, dataset: DatasetRef): boolean {
  return canManage(viewer, dataset) || viewer.roles.includes('REVIEWER') || isPubliclyVisible(dataset.status);
}

export function canSeeFunding(viewer: Viewer, dataset: DatasetRef): boolean {
  return canManage(viewer, dataset);
}

// The datasets(first, after) list: ADMIN and REVIEWER see all; others their own (any status)
// and everyone's OPEN datasets.
export function listScope(viewer: Viewer): 'all' | 'own-and-open' {
  return isAdmin(viewer) || viewer.roles.includes('REVIEWER') ? 'all' : 'own-and-open';
}
