// A JSON-RPC proxy in front of the dev chain that a test can cut: all calls (the chain is
// unreachable) or only some methods (e.g. eth_sendRawTransaction: the transaction never
// reaches the node). A cut call gets its connection destroyed, like a network failure.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RpcProxy {
  url: string;
  /** Cut every call (method undefined) or only calls of these methods. */
  cut(methods?: string[]): void;
  restore(): void;
  /** Sends every later call to another node (a chain swapped under the service). */
  retarget(url: string): void;
  close(): Promise<void>;
}

export async function startRpcProxy(targetUrl: string): Promise<RpcProxy> {
  let target = new URL(targetUrl);
  let cutAll = false;
  let cutMethods = new Set<string>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let method = '';
      try {
        method = String((JSON.parse(body.toString('utf8')) as { method?: string }).method ?? '');
      } catch {
        method = '';
      }
      if (cutAll || cutMethods.has(method)) {
        req.socket.destroy();
        return;
      }
      const upstream = request(
        {
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, { 'content-type': 'application/json' });
          up.pipe(res);
        },
      );
      upstream.on('error', () => req.socket.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    cut: (methods) => {
      if (methods === undefined) cutAll = true;
      else cutMethods = new Set(methods);
    },
    restore: () => {
      cutAll = false;
      cutMethods = new Set();
    },
    retarget: (url) => {
      target = new URL(url);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
