import { HttpException } from '@nestjs/common';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, httpStatusOf, type ErrorCode } from './domain-error';

// The single place that turns any thrown thing into what a client sees. Messages of unknown
// errors are replaced: they may carry SQL, stack traces or gold labels.

export interface PublicError {
  code: ErrorCode;
  message: string;
  status: number;
  details?: Record<string, unknown>;
}

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

export function toPublicError(error: unknown): PublicError {
  if (error instanceof DomainError) {
    return { code: error.code, message: error.message, status: httpStatusOf(error.code), details: error.details };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = HTTP_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_USER_INPUT');
    const response = error.getResponse();
    const raw = typeof response === 'object' && response !== null && 'message' in response ? (response as { message: unknown }).message : error.message;
    const message = status >= 500 ? 'Internal error' : Array.isArray(raw) ? raw.join('; ') : String(raw);
    return { code, message, status };
  }
  if (isBodyParserError(error)) {
    const status = error.status;
    return { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_USER_INPUT', message: status === 413 ? 'Request body too large' : 'Malformed request body', status };
  }
  return { code: 'INTERNAL', message: 'Internal error', status: 500 };
}

function isBodyParserError(error: unknown): error is { status: number; type: string } {
  return typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string' && typeof (error as { status?: unknown }).status === 'number';
}

// GraphQL validation errors (depth, complexity, unknown fields) carry their own codes from
// Apollo/graphql-armor; those messages are safe and useful, so they pass through.
const PASS_THROUGH_CODES = new Set(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const extensionCode = formatted.extensions?.code;
  if (original instanceof GraphQLError || (typeof extensionCode === 'string' && PASS_THROUGH_CODES.has(extensionCode) && !(original instanceof DomainError) && !(original instanceof HttpException))) {
    const code = extensionCode === 'GRAPHQL_VALIDATION_FAILED' || extensionCode === 'GRAPHQL_PARSE_FAILED' || extensionCode === 'BAD_REQUEST' ? 'BAD_USER_INPUT' : String(extensionCode ?? 'BAD_USER_INPUT');
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code, reason: extensionCode } };
  }
  const publicError = toPublicError(original);
  return {
    message: publicError.message,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: publicError.code, ...(publicError.details ? { details: publicError.details } : {}) },
  };
}
