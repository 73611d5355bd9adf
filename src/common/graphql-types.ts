// The shared GraphQL scalars, re-exported so domain models import them from one place.
export { GraphQLJSON as JSONScalar } from 'graphql-scalars';
export { TokenAmountMarker as TokenAmountScalar } from './scalars';
