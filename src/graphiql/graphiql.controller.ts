import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Public } from '../auth/current-account';

// Built-in GraphQL IDEs load from a CDN and show a blank page offline, so GraphiQL's UMD build
// and React are served from node_modules. Mounted only outside production.
const packageDir = (name: string): string => dirname(require.resolve(`${name}/package.json`));

const ASSETS: Record<string, { file: string; type: string }> = {
  'react.js': { file: join(packageDir('react'), 'umd', 'react.production.min.js'), type: 'application/javascript' },
  'react-dom.js': {
    file: join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'),
    type: 'application/javascript',
  },
  'graphiql.js': { file: join(packageDir('graphiql'), 'graphiql.min.js'), type: 'application/javascript' },
  'graphiql.css': { file: join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css' },
};

// What GraphiQL opens on (its first visit; it remembers the last query after that): a Labelchain
// query that works as soon as a token is in the Headers tab, and how to get one.
export const GRAPHIQL_DEFAULT_QUERY = `# Labelchain GraphiQL. Most operations need a token:
#  1. Get one (from the project folder):
#       node examples/sign-in.mjs                                     # a new labeler wallet
#       PRIVATE_KEY=$(cat .data/dev-admin.key) node examples/sign-in.mjs   # the dev ADMIN npm start made
#  2. Put it in the Headers tab below: {"Authorization": "Bearer <the token>"}
#  3. Run this: the chain to fund datasets on (public), and the datasets you can claim work from.
#  README.md, "From zero to a verified payout", walks through the rest.

query WhereCanIWork {
  chainInfo { chainId rpcUrl tokenAddress vaultAddress symbol decimals isDevChain }
  me { id address roles }
  datasets(first: 20) {
    totalCount
    edges { node { id name status labelSchema answersPerItem itemsPerTask rewardPerAnswer } }
  }
}
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Labelchain GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/assets/graphiql.css" />
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script src="/graphiql/assets/react.js"></script>
  <script src="/graphiql/assets/react-dom.js"></script>
  <script src="/graphiql/assets/graphiql.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultEditorToolsVisibility: 'headers',
        defaultQuery: ${JSON.stringify(GRAPHIQL_DEFAULT_QUERY).replace(/</g, '\\u003c')},
        headers: '{"Authorization": "Bearer <paste the accessToken of examples/sign-in.mjs>"}',
      }),
    );
  </script>
</body>
</html>`;

@Public()
@Controller('graphiql')
export class GraphiqlController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('assets/:name')
  async asset(@Param('name') name: string, @Res() reply: FastifyReply): Promise<void> {
    const asset = Object.prototype.hasOwnProperty.call(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) throw new NotFoundException('No such asset');
    const { size } = await stat(asset.file);
    await reply
      .type(asset.type)
      .header('content-length', size)
      .header('cache-control', 'public, max-age=86400')
      .send(createReadStream(asset.file));
  }
}
