import { aggregateCommand } from './aggregate.command';
import type { CliCommand } from './cli-command';
import { verifyPayoutCommand } from './verify-payout.command';

// Subcommand name -> handler module. Adding a command (e.g. verify-payout) is one import and one
// line here; main.ts does not change.
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  aggregate: aggregateCommand,
  'verify-payout': verifyPayoutCommand,
};
