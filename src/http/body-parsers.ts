import { RouteConfig } from '@nestjs/platform-fastify';
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';

// Only JSON bodies are parsed (GraphQL and nothing else needs one), up to a bound. A route marked
// @StreamsBody() gets no parsed body whatever the content type: it reads `request.raw` itself
// (item uploads stream gigabytes), so it can answer 415 for the wrong type without reading it.
// Any other content type is left unread, as a route that wants no body ignores it.

const STREAMS_BODY = 'streamsBody';
export const StreamsBody = (): MethodDecorator => RouteConfig({ [STREAMS_BODY]: true });

const JSON_TYPES = ['application/json', 'application/graphql-response+json'];

export function installBodyParsers(fastify: FastifyInstance, params: { jsonLimitBytes: number }): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(JSON_TYPES, (request, payload, done) => {
    if (streamsBody(request)) return done(null, undefined);
    readBody(request, payload, params.jsonLimitBytes).then(
      (body) => parseJson(request, body, done),
      (error: Error) => done(error, undefined),
    );
  });
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
}

function streamsBody(request: FastifyRequest): boolean {
  return (request.routeOptions.config as unknown as Record<string, unknown>)[STREAMS_BODY] === true;
}

async function readBody(request: FastifyRequest, payload: Readable, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
  const chunks: Buffer[] = [];
  let size = 0;
  // Stopping early must not destroy the request: the 413 still has to go out on its socket.
  for await (const chunk of payload.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
