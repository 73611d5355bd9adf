import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { toPublicError } from './error-format';

// REST errors get the same codes as GraphQL ones: { error: { code, message } }.
// GraphQL errors pass through untouched to Apollo's formatter.
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return exception;
    const response = host.switchToHttp().getResponse<Response>();
    const error = toPublicError(exception);
    if (error.status >= 500) this.logger.error({ err: exception }, 'unhandled error');
    if (response.headersSent) {
      response.destroy();
      return undefined;
    }
    response.status(error.status).json({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } });
    return undefined;
  }
}
