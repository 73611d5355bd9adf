import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { formatTokenAmount, parseTokenAmount } from './money';

export const TOKEN_AMOUNT_DESCRIPTION = 'Token amount as a decimal string in whole-token units, e.g. "1.25".';

/**
 * The TokenAmount type as models name it (`@Field(() => TokenAmountScalar)`). The real scalar
 * is built per application from the token's decimals (tokenAmountScalar) and mapped onto this
 * marker through buildSchemaOptions.scalarsMap, so no amount is ever scaled by a guess.
 */
export class TokenAmountMarker {}

export function tokenAmountScalar(decimals: number): GraphQLScalarType<bigint, string> {
  const toUnits = (value: unknown): bigint => {
    if (typeof value !== 'string')
      throw new GraphQLError('TokenAmount must be a decimal string such as "1.25"', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    try {
      return parseTokenAmount(value, decimals);
    } catch (e) {
      throw new GraphQLError((e as Error).message, { extensions: { code: 'BAD_USER_INPUT' } });
    }
  };
  return new GraphQLScalarType<bigint, string>({
    name: 'TokenAmount',
    description: TOKEN_AMOUNT_DESCRIPTION,
    serialize: (value) => {
      if (typeof value !== 'bigint') throw new GraphQLError('TokenAmount must be serialised from a bigint');
      return formatTokenAmount(value, decimals);
    },
    parseValue: toUnits,
    parseLiteral: (ast) => toUnits(ast.kind === Kind.STRING ? ast.value : undefined),
  });
}
