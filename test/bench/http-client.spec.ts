import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { Http1Connection } from '../../bench/http-client';

// The load generator's client reads answers by hand: a benchmark that misreads one would count an
// error or a wrong answer as a cycle. A raw TCP server decides exactly how the bytes arrive.
describe('bench http client', () => {
  let server: Server;
  let port: number;
  let answer: (request: string, write: (bytes: string | Buffer) => void, end: () => void) => void;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((socket) => {
      socket.setNoDelay(true);
      socket.on('data', (chunk) => {
        requests.push(chunk.toString('utf8'));
        answer(
          chunk.toString('utf8'),
          (bytes) => socket.write(bytes),
          () => socket.destroy(),
        );
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (requests.length = 0));

  const response = (body: string, status = 200): string =>
    `HTTP/1.1 ${status} OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

  it('sends the body with its headers and reads an answer that arrives in pieces', async () => {
    const body = JSON.stringify({ data: { claimTask: { id: 'a', items: [{ id: 'é', payload: { text: 'x' } }] } } });
    answer = (_request, write) => {
      const bytes = Buffer.from(response(body));
      // Cut inside the headers and between the two bytes of the body's "é".
      const cut = [20, bytes.indexOf(Buffer.from('é')) + 1];
      write(bytes.subarray(0, cut[0]));
      setImmediate(() => write(bytes.subarray(cut[0], cut[1])));
      setImmediate(() => setImmediate(() => write(bytes.subarray(cut[1]))));
    };
    const connection = new Http1Connection('127.0.0.1', port);
    const got = await connection.postJson('/graphql', { authorization: 'Bearer t' }, '{"query":"{ a }"}');
    connection.close();

    expect(got).toEqual({ status: 200, body: JSON.parse(body) });
    expect(requests.join('')).toMatch(/^POST \/graphql HTTP\/1\.1\r\n/);
    expect(requests.join('')).toContain('\r\nauthorization: Bearer t\r\n');
    expect(requests.join('')).toContain('\r\ncontent-length: 17\r\n');
    expect(requests.join('')).toMatch(/\r\n\r\n\{"query":"\{ a \}"\}$/);
  });

  it('hands two answers that arrive in one piece to their requests in order, and keeps the connection', async () => {
    let held = '';
    answer = (request, write) => {
      held += request;
      const bodies = held.split('\r\n\r\n').slice(1);
      if (bodies.length < 2) return;
      write(response(JSON.stringify({ n: 1 }), 400) + response(JSON.stringify({ n: 2 })));
    };
    const connection = new Http1Connection('127.0.0.1', port);
    const [first, second] = await Promise.all([
      connection.postJson('/graphql', {}, '{}'),
      connection.postJson('/graphql', {}, '{}'),
    ]);
    connection.close();

    expect(first).toEqual({ status: 400, body: { n: 1 } });
    expect(second).toEqual({ status: 200, body: { n: 2 } });
  });

  it('fails a request whose answer has no length, and one whose connection closes', async () => {
    answer = (_request, write) => write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
    const connection = new Http1Connection('127.0.0.1', port);
    await expect(connection.postJson('/graphql', {}, '{}')).rejects.toThrow(/unreadable response/);

    answer = (_request, _write, end) => end();
    await expect(connection.postJson('/graphql', {}, '{}')).rejects.toThrow(/closed|ECONNRESET/);

    // A new connection is opened for the next request.
    answer = (_request, write) => write(response('{"ok":true}'));
    await expect(connection.postJson('/graphql', {}, '{}')).resolves.toEqual({ status: 200, body: { ok: true } });
    connection.close();
  });

  it('fails what waits when the client closes, and a request after that gets its own answer', async () => {
    const unanswered: string[] = [];
    answer = (request, write) =>
      request.endsWith('"late"') ? unanswered.push(request) : write(response('{"n":"fresh"}'));
    const connection = new Http1Connection('127.0.0.1', port);
    const late = connection.postJson('/graphql', {}, '"late"');
    await new Promise((resolve) => setImmediate(resolve));
    connection.close();
    await expect(late).rejects.toThrow(/closed by the client/);

    await expect(connection.postJson('/graphql', {}, '{}')).resolves.toEqual({ status: 200, body: { n: 'fresh' } });
    connection.close();
  });
});
