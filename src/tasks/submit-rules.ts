// What a submission may do given the assignment's state: pure, so the rules read as a table.

export type AssignmentState = 'ACTIVE' | 'SUBMITTED' | 'ACCEPTED' | 'REJECTED' | 'EXPIRED' | 'RELEASED';

export type SubmitPath =
  | { kind: 'score' } // first submission of a live lease
  | { kind: 'replay' } // the same answers again: return the stored result, store nothing
  | { kind: 'expire' } // lease ran out and the reaper has not noticed yet: expire it, then refuse
  | { kind: 'refuse'; code: 'CONFLICT' | 'LEASE_EXPIRED' | 'ASSIGNMENT_NOT_ACTIVE'; message: string };

export function submitPath(params: {
  status: AssignmentState;
  expiresAt: Date;
  now: Date;
  storedHash: string | null;
  hash: string | null;
}): SubmitPath {
  const { status, expiresAt, now, storedHash, hash } = params;
  switch (status) {
    case 'SUBMITTED':
    case 'ACCEPTED':
    case 'REJECTED':
      return hash !== null && hash === storedHash
        ? { kind: 'replay' }
        : { kind: 'refuse', code: 'CONFLICT', message: 'This assignment was already submitted with different answers' };
    case 'EXPIRED':
      return {
        kind: 'refuse',
        code: 'LEASE_EXPIRED',
        message: 'The lease on this assignment expired; claim a new task',
      };
    case 'RELEASED':
      return { kind: 'refuse', code: 'ASSIGNMENT_NOT_ACTIVE', message: 'This assignment was released' };
    case 'ACTIVE':
      return now.getTime() >= expiresAt.getTime() ? { kind: 'expire' } : { kind: 'score' };
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}
