import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination';

// What a query may cost before it runs: about how many values it can return. Every field counts
// 1; a paginated field (one with a `first` argument) multiplies its list children (`edges`) by
// the page it asks for: the literal `first` (capped at MAX_PAGE_SIZE, which the resolver enforces
// with its own clear message), MAX_PAGE_SIZE when `first` is a variable (its value is not known
// here, and a variable must not be a way around the limit), DEFAULT_PAGE_SIZE when absent.
// The limit lets one documented maximum page (datasets(first: 500) with every field) through and
// refuses a request that stacks such pages. Introspection is not counted (depth limits it).
// graphql-armor's cost rule compounds a 1.5 factor per level and multiplied pageInfo too, so the
// documented maximum page was refused; this rule is a plain graphql-js validation rule.

export interface QueryCostLimit {
  maxCost: number;
}

export function queryCostRule(limit: QueryCostLimit): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    OperationDefinition(operation) {
      const root =
        operation.operation === 'query'
          ? context.getSchema().getQueryType()
          : operation.operation === 'mutation'
            ? context.getSchema().getMutationType()
            : context.getSchema().getSubscriptionType();
      if (!root) return;
      const cost = selectionCost({
        context,
        set: operation.selectionSet,
        type: root,
        listMultiplier: 1,
        fragments: new Set(),
      });
      if (cost > limit.maxCost) {
        context.reportError(
          new GraphQLError(
            `Query cost ${cost} is over the limit of ${limit.maxCost}: ask for fewer items (first) or fewer fields`,
            { nodes: [operation] },
          ),
        );
      }
    },
  });
}

function selectionCost(params: {
  context: ValidationContext;
  set: SelectionSetNode;
  type: GraphQLNamedType;
  listMultiplier: number;
  fragments: Set<string>;
}): number {
  const { context, set, type, listMultiplier, fragments } = params;
  let total = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      total += fieldCost({ context, node: selection, parent: type, listMultiplier, fragments });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition ? context.getSchema().getType(selection.typeCondition.name.value) : type;
      total += selectionCost({ context, set: selection.selectionSet, type: on ?? type, listMultiplier, fragments });
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (!fragment || fragments.has(name)) continue; // cycles are refused by NoFragmentCycles
      const on = context.getSchema().getType(fragment.typeCondition.name.value) ?? type;
      total += selectionCost({
        context,
        set: fragment.selectionSet,
        type: on,
        listMultiplier,
        fragments: new Set([...fragments, name]),
      });
    }
  }
  return total;
}

function fieldCost(params: {
  context: ValidationContext;
  node: FieldNode;
  parent: GraphQLNamedType;
  listMultiplier: number;
  fragments: Set<string>;
}): number {
  const { context, node, parent, listMultiplier, fragments } = params;
  if (node.name.value.startsWith('__')) return 0;
  const field =
    isObjectType(parent) || isInterfaceType(parent)
      ? (parent.getFields()[node.name.value] as GraphQLField<unknown, unknown> | undefined)
      : undefined;
  if (!field) return 1; // unknown fields are refused by FieldsOnCorrectType
  const times = isListType(getNullableType(field.type)) ? listMultiplier : 1;
  if (!node.selectionSet) return times;
  const page = pageOf(node, field);
  const children = selectionCost({
    context,
    set: node.selectionSet,
    type: getNamedType(field.type),
    listMultiplier: page,
    fragments,
  });
  return times * (1 + children);
}

function pageOf(node: FieldNode, field: GraphQLField<unknown, unknown>): number {
  if (!field.args.some((arg) => arg.name === 'first')) return 1;
  const first = node.arguments?.find((arg) => arg.name.value === 'first');
  if (!first) return DEFAULT_PAGE_SIZE;
  if (first.value.kind === Kind.INT)
    return Math.min(Math.max(Number.parseInt(first.value.value, 10), 1), MAX_PAGE_SIZE);
  return MAX_PAGE_SIZE;
}
