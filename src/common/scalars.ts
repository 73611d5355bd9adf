import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { formatTokenAmount, parseTokenAmount } from './money';

function toUnits(value: unknown): bigint {
  if (typeof value !== 'string') throw new GraphQLError('TokenAmount must be a decimal string such as "1.25"', { extensions: { code: 'BAD_USER_INPUT' } });
  try {
    return parseTokenAmount(value);
  } catch (e) {
    throw new GraphQLError((e as Error).message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

export const TokenAmountScalar = new GraphQLScalarType<bigint, string>({
  name: 'TokenAmount',
  description: 'Token amount as a decimal string in whole-token units, e.g. "1.25".',
  serialize: (value) => {
    if (typeof value !== 'bigint') throw new GraphQLError('TokenAmount must be serialised from a bigint');
    return formatTokenAmount(value);
  },
  parseValue: toUnits,
  parseLiteral: (ast) => toUnits(ast.kind === Kind.STRING ? ast.value : undefined),
});
