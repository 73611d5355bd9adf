import { connect, type Socket } from 'node:net';

// A load generator's HTTP/1.1 client: one keep-alive connection per labeler (as each person's
// browser holds its own), the request written as one string, the response read by its
// Content-Length. It does what wrk or autocannon do for an HTTP benchmark, and what pgbench does
// for the raw baseline: as little CPU as a client can spend, so that the machine's two cores go to
// the service being measured. node:http's client spends about three times as much per request.
// It speaks only what this api answers (a status line, headers, a body with Content-Length); a
// response it cannot read fails the request.
export interface JsonResponse {
  status: number;
  body: unknown;
}

interface Waiting {
  resolve: (response: JsonResponse) => void;
  reject: (error: Error) => void;
}

const HEADERS_END = Buffer.from('\r\n\r\n');

export class Http1Connection {
  private socket: Socket | null = null;
  private readonly waiting: Waiting[] = [];
  private buffered: Buffer = Buffer.alloc(0);

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  // Requests on one connection are answered in order (HTTP/1.1), so they may be sent before the
  // previous one's answer arrives.
  postJson(path: string, headers: Record<string, string>, body: string): Promise<JsonResponse> {
    const head =
      `POST ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      '\r\n';
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      // Held open only while an answer is awaited, like node:http's agent: an idle connection
      // does not keep the process alive.
      this.open()
        .ref()
        .write(head + body);
    });
  }

  close(): void {
    const socket = this.socket;
    this.fail(new Error('connection closed by the client'));
    socket?.end();
  }

  private open(): Socket {
    if (this.socket) return this.socket;
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    // A socket given up already (closed by the client, or replaced) has nothing left to fail.
    socket.on('error', (error) => this.socket === socket && this.fail(error));
    socket.on('close', () => this.socket === socket && this.fail(new Error('connection closed')));
    this.socket = socket;
    return socket;
  }

  // Every request waiting on the connection fails, and the next one opens a new connection.
  private fail(error: Error): void {
    this.socket = null;
    this.buffered = Buffer.alloc(0);
    for (const waiting of this.waiting.splice(0)) waiting.reject(error);
  }

  private read(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const headersEnd = this.buffered.indexOf(HEADERS_END);
      if (headersEnd < 0) return;
      const head = this.buffered.toString('latin1', 0, headersEnd);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      const waiting = this.waiting.shift();
      if (!length || !waiting) {
        const error = new Error(`unreadable response: ${head.slice(0, 200)}`);
        waiting?.reject(error);
        const socket = this.socket;
        this.fail(error);
        socket?.destroy();
        return;
      }
      const bodyStart = headersEnd + HEADERS_END.length;
      const bodyEnd = bodyStart + Number(length[1]);
      if (this.buffered.length < bodyEnd) {
        this.waiting.unshift(waiting);
        return;
      }
      const status = Number(head.slice(9, 12));
      const text = this.buffered.toString('utf8', bodyStart, bodyEnd);
      this.buffered = this.buffered.subarray(bodyEnd);
      if (this.waiting.length === 0) this.socket?.unref();
      try {
        waiting.resolve({ status, body: JSON.parse(text) });
      } catch (error) {
        waiting.reject(error as Error);
      }
    }
  }
}
