import type { ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloDriver } from '@nestjs/apollo';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { formatGraphqlError } from './common/error-format';
import { queryCostRule } from './common/query-cost';
import type { RuntimeConfig } from './config/runtime-config';

// Query limits: real clients need depth ≤ 8; anything deeper or costlier is an attack. The cost
// (common/query-cost.ts) counts the values a query can return: the largest documented page,
// datasets(first: 500) with every Dataset field, costs 17,005.
export const GRAPHQL_LIMITS = { maxDepth: 10, maxCost: 20_000, maxAliases: 15, maxTokens: 2000, maxDirectives: 20 };

export function graphqlOptions(config: RuntimeConfig): ApolloDriverConfig {
  const armor = new ApolloArmor({
    maxDepth: { n: GRAPHQL_LIMITS.maxDepth, ignoreIntrospection: true, exposeLimits: true },
    costLimit: { enabled: false },
    maxAliases: { n: GRAPHQL_LIMITS.maxAliases, exposeLimits: true },
    maxTokens: { n: GRAPHQL_LIMITS.maxTokens, exposeLimits: true },
    maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives, exposeLimits: true },
    blockFieldSuggestion: { enabled: config.nodeEnv === 'production' },
  });
  const protection = armor.protect();
  return {
    driver: ApolloDriver,
    autoSchemaFile: true,
    sortSchema: true,
    playground: false,
    graphiql: false,
    introspection: config.nodeEnv !== 'production',
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    plugins: protection.plugins,
    validationRules: [...protection.validationRules, queryCostRule({ maxCost: GRAPHQL_LIMITS.maxCost })],
    context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
    formatError: formatGraphqlError,
  };
}
