import type { ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloDriver } from '@nestjs/apollo';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { formatGraphqlError } from './common/error-format';
import { TokenAmountMarker, tokenAmountScalar } from './common/scalars';
import type { RuntimeConfig } from './config/runtime-config';

// Query limits: real clients need depth ≤ 8; anything deeper or costlier is an attack.
export const GRAPHQL_LIMITS = { maxDepth: 10, maxCost: 5000, maxAliases: 15, maxTokens: 2000, maxDirectives: 20 };

export function graphqlOptions(config: RuntimeConfig): ApolloDriverConfig {
  const armor = new ApolloArmor({
    maxDepth: { n: GRAPHQL_LIMITS.maxDepth, ignoreIntrospection: true, exposeLimits: true },
    costLimit: { maxCost: GRAPHQL_LIMITS.maxCost, ignoreIntrospection: true, exposeLimits: true },
    maxAliases: { n: GRAPHQL_LIMITS.maxAliases, exposeLimits: true },
    maxTokens: { n: GRAPHQL_LIMITS.maxTokens, exposeLimits: true },
    maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives, exposeLimits: true },
    blockFieldSuggestion: { enabled: config.nodeEnv === 'production' },
  });
  const protection = armor.protect();
  return {
    driver: ApolloDriver,
    autoSchemaFile: true,
    // TokenAmount in this app's token decimals (RuntimeConfig.tokenDecimals, read from the chain).
    buildSchemaOptions: { scalarsMap: [{ type: TokenAmountMarker, scalar: tokenAmountScalar(config.tokenDecimals) }] },
    sortSchema: true,
    playground: false,
    graphiql: false,
    introspection: config.nodeEnv !== 'production',
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    plugins: protection.plugins,
    validationRules: protection.validationRules,
    context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
    formatError: formatGraphqlError,
  };
}
