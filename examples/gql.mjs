// One GraphQL call from the shell, with the token in TOKEN (or none):
//
//   TOKEN=$TOKEN node examples/gql.mjs '{ me { id roles } }'
//   TOKEN=$TOKEN node examples/gql.mjs 'mutation($id: ID!) { publishDataset(id: $id) { status } }' '{"id": "…"}'
//   ... --get createDataset.id        prints just that value (for VAR=$(...))
//
// Prints the data as JSON; on an error prints "CODE: message" to stderr and exits 1.
import { gql, GqlError } from './lib.mjs';

const args = process.argv.slice(2);
const getAt = args.indexOf('--get');
const path = getAt >= 0 ? args.splice(getAt, 2)[1] : undefined;
const [query, variables = '{}'] = args;
if (!query) {
  process.stderr.write(
    "usage: TOKEN=<token> node examples/gql.mjs '<query>' ['<variables JSON>'] [--get path.to.value]\n",
  );
  process.exit(2);
}
try {
  const data = await gql(query, JSON.parse(variables), process.env.TOKEN);
  const value = path === undefined ? data : path.split('.').reduce((at, key) => at?.[key], data);
  process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
} catch (error) {
  if (!(error instanceof GqlError)) throw error;
  process.stderr.write(`${error.message}${error.details ? ` ${JSON.stringify(error.details)}` : ''}\n`);
  process.exit(1);
}
