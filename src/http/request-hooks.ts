import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { MetricsService } from '../health/metrics.service';

// Per-request work every route shares, as plain Fastify hooks (no Express-style middleware
// layer): security headers, the request id echo, the latency histogram and one access-log line.
// Headers go on the raw response so that streamed (hijacked) responses carry them too.
export function installRequestHooks(fastify: FastifyInstance, deps: { logger: Logger; metrics: MetricsService }): void {
  const securityHeaders = helmet({ contentSecurityPolicy: false });
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.raw.setHeader('x-request-id', request.id);
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    // Route templates, not raw paths, keep label cardinality bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    deps.metrics.observeHttp({ method: request.method, route, status }, reply.elapsedTime / 1000);
    // Checked first so that at LOG_LEVEL=warn a request costs no log object at all.
    if (deps.logger.isLevelEnabled('info') && !route.startsWith('/health')) {
      deps.logger.info(
        {
          reqId: request.id,
          method: request.method,
          url: request.url,
          status,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request completed',
      );
    }
    done();
  });
}
