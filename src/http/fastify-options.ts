import type { FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RuntimeConfig } from '../config/runtime-config';

// The caller's X-Request-Id when it is sane (it ends up in logs and in a response header), else a
// new one; echoed by the request hooks so a client can quote it when reporting a problem.
const SANE_REQUEST_ID = /^[\w.:-]{1,100}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

export function fastifyOptions(config: Pick<RuntimeConfig, 'trustedProxies'>): FastifyServerOptions {
  return {
    logger: false, // see src/common/logger.ts: one access-log line from the request hooks instead
    genReqId: requestIdOf,
    requestIdHeader: false,
    // request.ip is the client behind these proxies (X-Forwarded-For), else the socket's peer.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
  };
}
