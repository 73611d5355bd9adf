import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { Logger } from '@nestjs/common';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  GraphQLError,
  Location,
  NoSchemaIntrospectionCustomRule,
  type DocumentNode,
  type GraphQLFormattedError,
  type ValidationContext,
} from 'graphql';
import { TokenAmountMarker, tokenAmountScalar } from './common/scalars';
import {
  formatGraphqlError,
  isInternal,
  isRequestBodyError,
  restErrorBody,
  toPublicError,
  type GraphqlErrorPhase,
} from './common/error-format';
import { queryCostRule } from './common/query-cost';
import type { RuntimeConfig } from './config/runtime-config';

// Query limits: real clients need depth ≤ 8; anything deeper or costlier is an attack. The cost
// (common/query-cost.ts) counts the values a query can return: the largest documented page,
// datasets(first: 500) with every Dataset field, costs 17,005.
export const GRAPHQL_LIMITS = { maxDepth: 10, maxCost: 20_000, maxAliases: 15, maxTokens: 2000, maxDirectives: 20 };
// Headers that make a GET or a form-like POST non-simple (CORS preflight), as Apollo named them.
const CSRF_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'];

const logger = new Logger('GraphQL');

// graphql-armor's rules throw by default, which would end validation as a server error; reported,
// they come back like any other validation error (and Mercurius caches the verdict per query text).
const reported = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

/** An error refusing the HTTP request itself (400), not a GraphQL validation error. */
export function requestRefusal(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}

// Mercurius falls back to reading a query that does not parse as a JSON-encoded AST; we accept
// GraphQL text only (a hand-made AST could carry anything past the token limit into graphql-js).
function rejectJsonDocuments(_schema: unknown, document: DocumentNode): void {
  if (!(document.loc instanceof Location)) throw requestRefusal('The query must be GraphQL text');
}

export function graphqlOptions(config: RuntimeConfig): MercuriusDriverConfig {
  const production = config.nodeEnv === 'production';
  const format = (
    errors: readonly (GraphQLError | Error)[],
    params: { phase: GraphqlErrorPhase; request: FastifyRequest },
  ): GraphQLFormattedError[] =>
    errors.map((error) => {
      const formatted = formatGraphqlError(error, { phase: params.phase, hideSuggestions: production });
      if (isInternal(formatted))
        logger.error(
          { reqId: params.request.id, err: error instanceof GraphQLError ? (error.originalError ?? error) : error },
          'unhandled error',
        );
      return formatted;
    });
  return {
    driver: MercuriusDriver,
    autoSchemaFile: true,
    // TokenAmount in this app's token decimals (RuntimeConfig.tokenDecimals, read from the chain).
    buildSchemaOptions: { scalarsMap: [{ type: TokenAmountMarker, scalar: tokenAmountScalar(config.tokenDecimals) }] },
    sortSchema: true,
    graphiql: false, // ours is served offline (src/graphiql); Mercurius' loads from a CDN
    path: '/graphql',
    allowBatchedQueries: false,
    csrfPrevention: {
      allowedContentTypes: ['application/json', 'application/graphql-response+json'],
      requiredHeaders: CSRF_HEADERS,
    },
    // The limits run as validation rules; validated documents are cached by query text, so a
    // labeler's repeated claim/submit is parsed and checked once.
    graphql: { parseOptions: { maxTokens: GRAPHQL_LIMITS.maxTokens } },
    validationRules: [
      maxDepthRule({ n: GRAPHQL_LIMITS.maxDepth, ignoreIntrospection: true, exposeLimits: true, ...reported }),
      queryCostRule({ maxCost: GRAPHQL_LIMITS.maxCost }),
      maxAliasesRule({ n: GRAPHQL_LIMITS.maxAliases, exposeLimits: true, ...reported }),
      maxDirectivesRule({ n: GRAPHQL_LIMITS.maxDirectives, exposeLimits: true, ...reported }),
      ...(production ? [NoSchemaIntrospectionCustomRule] : []),
    ],
    hooks: { preValidation: rejectJsonDocuments },
    additionalRouteOptions: {
      // Responses as JSON.stringify writes them (Mercurius' response schema would turn list indices
      // in error paths into strings and reorder keys).
      serializerCompiler: () => (data: unknown) => `${JSON.stringify(data)}\n`,
      // Answers carry per-user data: no cache may keep them.
      onSend: (
        _request: FastifyRequest,
        reply: FastifyReply,
        payload: unknown,
        done: (error: null, payload: unknown) => void,
      ) => {
        void reply.header('cache-control', 'no-store');
        done(null, payload);
      },
    },
    context: (request: FastifyRequest, reply: FastifyReply) => ({ req: request, res: reply }),
    // Errors raised while executing: the response keeps its data (HTTP 200).
    errorFormatter: (execution, context) => {
      const request = (context as unknown as { reply: FastifyReply }).reply.request;
      return {
        statusCode: 200,
        response: { data: execution.data ?? null, errors: format(execution.errors, { phase: 'execution', request }) },
      };
    },
    // Requests refused before execution. A body Fastify could not read answers like any REST
    // route; the rest is a GraphQL response without data.
    errorHandler: (error, request, reply) => {
      if (isRequestBodyError(error)) {
        const publicError = toPublicError(error);
        return void reply.code(publicError.status).send(restErrorBody(publicError));
      }
      const status =
        typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 500;
      const errors =
        status === 500
          ? [new GraphQLError('Internal error', { originalError: error })]
          : ((error as { errors?: Error[] }).errors ?? [error]);
      void reply
        .code(status)
        .send({ errors: format(errors, { phase: status === 500 ? 'execution' : 'request', request }) });
    },
  } as MercuriusDriverConfig;
}
