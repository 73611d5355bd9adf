import http from 'node:http';
import type { TestApp } from './test-app';

// An HTTP request to the app written by hand (node:http, not supertest): for bodies sent in
// pieces, chunked, or announced with a length that never arrives. The caller writes and ends
// `req`; `response` resolves with the status and the whole body as text.
export function rawRequest(
  app: TestApp,
  params: { method: string; path: string; headers: Record<string, string | number> },
): { req: http.ClientRequest; response: Promise<{ status: number; body: string }> } {
  const url = new URL(params.path, app.url.replace('[::1]', '127.0.0.1'));
  const req = http.request(url, { method: params.method, headers: params.headers });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
  return { req, response };
}
