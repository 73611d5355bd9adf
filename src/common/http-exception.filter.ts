import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { restErrorBody, toPublicError } from './error-format';

// REST errors get the same codes as GraphQL ones: { error: { code, message } }.
// GraphQL errors pass through untouched to the GraphQL error formatter.
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return exception;
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const error = toPublicError(exception);
    if (error.status >= 500)
      this.logger.error({ reqId: http.getRequest<FastifyRequest>().id, err: exception }, 'unhandled error');
    if (reply.sent || reply.raw.headersSent) {
      // A streamed response failed midway: cutting it is the only honest signal left.
      reply.raw.destroy();
      return undefined;
    }
    void reply.status(error.status).send(restErrorBody(error));
    return undefined;
  }
}
