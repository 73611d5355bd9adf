import { CliUsageError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-error';
import type { CliIo } from './cli-command';
import { COMMANDS } from './commands';

// Command-line entry: `npm run cli -- <command> [options]`. Dispatches through the COMMANDS map
// and turns errors into exit codes (2 = usage/input error the user can fix, 1 = unexpected).

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stderr.write(usage());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr.write(`error: unknown command "${name}"\n${usage()}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(args, io);
  } catch (error: unknown) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`error: ${error.message}\nusage: ${command.usage}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage}`);
  return `usage: npm run cli -- <command> [options]\ncommands:\n${lines.join('\n')}\n`;
}

if (require.main === module) {
  void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
    // exitCode (not exit()) lets stdout drain when it is a pipe.
    process.exitCode = code;
  });
}
