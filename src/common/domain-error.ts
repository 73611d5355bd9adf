// One error type for every domain failure. Codes are stable strings that clients switch on;
// the formatter maps each to a GraphQL extensions.code and an HTTP status exhaustively.

export type GenericErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INTERNAL';
export type AuthErrorCode =
  | 'ACCOUNT_BLOCKED'
  | 'INVALID_SIGNATURE'
  | 'INVALID_NONCE'
  | 'INVALID_TOKEN'
  | 'INVALID_API_KEY';
export type DatasetErrorCode =
  | 'INSUFFICIENT_BUDGET'
  | 'INVALID_TRANSITION'
  | 'INVALID_LABEL'
  | 'DATASET_NOT_OPEN'
  | 'REFUND_NOT_READY'
  | 'NEWLINES_STRIPPED';
export type TaskErrorCode =
  | 'LEASE_EXPIRED'
  | 'NOTHING_TO_CLAIM'
  | 'ASSIGNMENT_NOT_ACTIVE'
  | 'INVALID_ANSWERS'
  | 'WORKER_BLOCKED_ON_DATASET'
  | 'OWN_DATASET';
export type DisputeErrorCode = 'DISPUTE_NOT_OPEN' | 'ALREADY_DISPUTED' | 'APPEAL_WINDOW_CLOSED';
export type PayoutErrorCode = 'CHAIN_UNAVAILABLE' | 'DEV_CHAIN_ONLY';
export type ErrorCode =
  | GenericErrorCode
  | AuthErrorCode
  | DatasetErrorCode
  | TaskErrorCode
  | DisputeErrorCode
  | PayoutErrorCode;

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
    case 'INVALID_SIGNATURE':
    case 'INVALID_NONCE':
    case 'INVALID_TOKEN':
    case 'INVALID_API_KEY':
      return 401;
    case 'FORBIDDEN':
    case 'ACCOUNT_BLOCKED':
    case 'WORKER_BLOCKED_ON_DATASET':
    case 'OWN_DATASET':
    case 'DEV_CHAIN_ONLY':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
    case 'INVALID_TRANSITION':
    case 'DATASET_NOT_OPEN':
    case 'REFUND_NOT_READY':
    case 'ASSIGNMENT_NOT_ACTIVE':
    case 'ALREADY_DISPUTED':
    case 'DISPUTE_NOT_OPEN':
    case 'APPEAL_WINDOW_CLOSED':
    case 'NOTHING_TO_CLAIM':
    case 'LEASE_EXPIRED':
      return 409;
    case 'BAD_USER_INPUT':
    case 'NEWLINES_STRIPPED':
    case 'INVALID_LABEL':
    case 'INVALID_ANSWERS':
      return 400;
    case 'INSUFFICIENT_BUDGET':
      return 402;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'RATE_LIMITED':
      return 429;
    case 'CHAIN_UNAVAILABLE':
      return 503;
    case 'INTERNAL':
      return 500;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export const notFound = (what: string): DomainError => new DomainError('NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'You are not allowed to do this'): DomainError =>
  new DomainError('FORBIDDEN', message);
export const badInput = (message: string, details?: Record<string, unknown>): DomainError =>
  new DomainError('BAD_USER_INPUT', message, details);
