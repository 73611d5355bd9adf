// A problem the user can fix (bad arguments, missing or malformed input file). main.ts prints
// its message without a stack trace and exits with code 2; anything else is a bug (exit 1).
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
