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
    const raw =
      typeof response === 'object' && response !== null && 'message' in response
        ? (response as { message: unknown }).message
        : error.message;
    const message = status >= 500 ? 'Internal error' : Array.isArray(raw) ? raw.join('; ') : String(raw);
    return { code, message, status };
  }
  if (isRequestBodyError(error)) {
    const status = error.statusCode;
    return {
      code: HTTP_CODES[status] ?? 'BAD_USER_INPUT',
      message: status === 413 ? 'Request body too large' : error.message,
      status,
    };
  }
  return { code: 'INTERNAL', message: 'Internal error', status: 500 };
}

/** The JSON body of a REST error response. */
export function restErrorBody(error: PublicError): {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
} {
  return { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
}

/** Fastify's own refusals of a request body (malformed JSON, too large): their messages are safe. */
export function isRequestBodyError(error: unknown): error is { statusCode: number; code: string; message: string } {
  if (typeof error !== 'object' || error === null) return false;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  return (
    typeof statusCode === 'number' &&
    statusCode >= 400 &&
    statusCode < 500 &&
    typeof code === 'string' &&
    code.startsWith('FST_ERR_CTP_')
  );
}

// A GraphQL error is either about the request (it does not parse, does not fit the schema, breaks
// a limit: the client's fault, its message is safe and useful) or raised while executing it (a
// DomainError from our code, or a failure whose message must not reach the client).
export type GraphqlErrorPhase = 'request' | 'execution';

export function formatGraphqlError(
  error: GraphQLError | Error,
  params: { phase: GraphqlErrorPhase; hideSuggestions: boolean },
): GraphQLFormattedError {
  const graphqlError = error instanceof GraphQLError ? error : null;
  const location = { locations: graphqlError?.locations, path: graphqlError?.path };
  const original = graphqlError ? graphqlError.originalError : error;
  if (
    original &&
    !(original instanceof GraphQLError) &&
    (params.phase === 'execution' || original instanceof DomainError || original instanceof HttpException)
  ) {
    const publicError = toPublicError(original);
    return {
      message: publicError.message,
      ...location,
      extensions: { code: publicError.code, ...(publicError.details ? { details: publicError.details } : {}) },
    };
  }
  if (params.phase === 'execution') {
    // graphql-js's own execution failures (a null for a non-null field): our bug, not the client's.
    return { message: 'Internal error', ...location, extensions: { code: 'INTERNAL' } };
  }
  const message = params.hideSuggestions
    ? error.message.replace(/Did you mean .+\?$/, '[Suggestion hidden]?')
    : error.message;
  // GraphQLErrors come from parsing and validation; anything else refused the HTTP request itself.
  return {
    message,
    ...location,
    extensions: { code: 'BAD_USER_INPUT', reason: graphqlError ? 'GRAPHQL_VALIDATION_FAILED' : 'BAD_REQUEST' },
  };
}

/** Whether a formatted error hides an unexpected failure worth logging. */
export function isInternal(formatted: GraphQLFormattedError): boolean {
  return formatted.extensions?.code === 'INTERNAL';
}
