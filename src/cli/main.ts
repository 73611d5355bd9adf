#!/usr/bin/env node
import { CliUsageError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-error';
import type { CliIo } from './cli-command';
import { COMMANDS } from './commands';

// Command-line entry: `labelchain <command> [options]` (the package's bin, compiled to
// dist/src/cli/main.js) or `npm run cli -- <command> [options]`. Dispatches through the COMMANDS map
// and turns errors into exit codes (2 = usage/input error the user can fix, 1 = unexpected).

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stderr.write(usage());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    io.stderr.write(`error: unknown command "${name}"\n${usage()}`);
    return EXIT_USAGE;
  }
  const command = load();
  try {
    return await command.run(args, io);
  } catch (error: unknown) {
    // The reader went away (`labelchain aggregate ... | head`): nothing is wrong.
    if ((error as { code?: string }).code === 'EPIPE') return EXIT_OK;
    if (error instanceof CliUsageError) {
      io.stderr.write(`error: ${error.message}\nusage: ${command.usage}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

function usage(): string {
  const lines = Object.values(COMMANDS).map((load) => `  ${load().usage}`);
  return `usage: labelchain <command> [options]   (or npm run cli -- <command> [options])\ncommands:\n${lines.join('\n')}\n`;
}

if (require.main === module) {
  void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
    // exitCode (not exit()) lets stdout drain when it is a pipe.
    process.exitCode = code;
  });
}
