import { ConfigError } from './config.schema';

// A boot failure the operator can fix, worded as the one line `npm start` prints: what is wrong
// and what to do about it.
export class BootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootError';
  }
}

/**
 * The single line printed when boot fails, whatever was thrown: an Error, a string, or nothing
 * at all (some libraries reject with undefined). Never a stack trace.
 */
export function bootFailureLine(error: unknown): string {
  const text = error instanceof Error ? error.message : error === undefined || error === null ? '' : String(error);
  const line = text.replace(/\s+/g, ' ').trim();
  if (error instanceof BootError || error instanceof ConfigError) return line;
  return line === ''
    ? 'boot failed for an unknown reason (run with LOG_LEVEL=debug for details)'
    : `boot failed: ${line}`;
}
