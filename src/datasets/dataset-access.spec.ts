import { canManage, canRefund, canSeeFunding, canView, listScope, type Viewer } from './dataset-access';
import type { DatasetState } from './dataset-lifecycle';

const OWNER: Viewer = { id: 'owner', roles: ['LABELER', 'REQUESTER'] };
const ADMIN: Viewer = { id: 'admin', roles: ['ADMIN', 'LABELER'] };
const REVIEWER: Viewer = { id: 'rev', roles: ['LABELER', 'REVIEWER'] };
const LABELER: Viewer = { id: 'lab', roles: ['LABELER'] };
const OTHER_REQUESTER: Viewer = { id: 'req2', roles: ['LABELER', 'REQUESTER'] };

const STATES: DatasetState[] = ['DRAFT', 'OPEN', 'PAUSED', 'COMPLETED', 'CANCELLED'];

describe('dataset access', () => {
  it.each(
    STATES.flatMap(
      (status) =>
        [
          ['owner', OWNER, status, true, true],
          ['admin', ADMIN, status, true, true],
          ['reviewer', REVIEWER, status, true, false],
          ['labeler', LABELER, status, status === 'OPEN' || status === 'PAUSED', false],
          ['another requester', OTHER_REQUESTER, status, status === 'OPEN' || status === 'PAUSED', false],
        ] as const,
    ),
  )('%s on a %s dataset: view %p, manage %p', (_name, viewer, status, view, manage) => {
    const dataset = { ownerId: 'owner', status };
    expect(canView(viewer, dataset)).toBe(view);
    expect(canManage(viewer, dataset)).toBe(manage);
    expect(canSeeFunding(viewer, dataset)).toBe(manage);
    expect(canRefund(viewer, dataset)).toBe(viewer === OWNER);
  });

  it.each([
    [OWNER, 'own-and-open'],
    [LABELER, 'own-and-open'],
    [REVIEWER, 'all'],
    [ADMIN, 'all'],
  ] as const)('list scope of %o is %s', (viewer, scope) => {
    expect(listScope(viewer)).toBe(scope);
  });
});
