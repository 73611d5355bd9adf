// The contract every subcommand module implements; main.ts only knows this shape.

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface CliCommand {
  /** One line shown by `npm run cli -- --help`. */
  readonly usage: string;
  /** Resolves to the process exit code; throws CliUsageError for user errors. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}
