import { createServer } from 'node:net';

// Local TCP ports for what `npm start` runs in-process (embedded PostgreSQL, the dev chain).

/** Whether nothing listens on 127.0.0.1:port right now (a later bind can still lose a race). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, host, () => server.close(() => done(true)));
  });
}

/** A port the OS says is free on 127.0.0.1. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** `preferred` when it is free, else any free port. */
export async function preferredOrFreePort(preferred: number, host = '127.0.0.1'): Promise<number> {
  return preferred !== 0 && (await isPortFree(preferred, host)) ? preferred : freePort(host);
}
