import type { LoggerService } from '@nestjs/common';
import pino, { type Level, type Logger } from 'pino';

// One pino logger per app: Nest's own messages and every `new Logger(Context)` in the code end up
// here as JSON lines. There is no per-request child logger (creating one on every request cost
// more than the request's own work on the hot path); a line about a request carries its `reqId`
// explicitly (access log, unhandled errors).

export type LogLevel = Level | 'silent';

export function createRootLogger(level: LogLevel): Logger {
  return pino(
    {
      level,
      // Nothing logs request headers today; these keep a future `{ req }` from leaking credentials.
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
    },
    // Asynchronous writes: a log line never blocks the event loop on a slow stdout. pino flushes
    // what is pending when the process exits.
    pino.destination({ dest: 1, sync: false }),
  );
}

const LEVELS = { log: 'info', error: 'error', warn: 'warn', debug: 'debug', verbose: 'trace', fatal: 'fatal' } as const;

// Nest calls `logger.log(message, ...params, context)`; the code here calls it pino-style with an
// object first: `logger.log({ datasetId }, 'dataset split')`. Both end up as one pino line with
// `context` set.
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(method: keyof typeof LEVELS, message: unknown, params: unknown[]): void {
    const level = LEVELS[method];
    if (!this.root.isLevelEnabled(level)) return;
    // Nest appends the logger's context as the last parameter.
    const rest = [...params];
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const text = rest.find((p) => typeof p === 'string') as string | undefined;
    if (message instanceof Error) {
      this.root[level]({ context, err: message }, text ?? message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.root[level]({ context, ...message }, text);
    } else if (method === 'error' && text !== undefined) {
      // Nest's own error(message, stack, context).
      this.root[level]({ context, stack: text }, String(message));
    } else {
      this.root[level]({ context }, String(message));
    }
  }
}
