import type { CliCommand } from './cli-command';

// Subcommand name -> a loader of its handler module. Required on demand, so `aggregate` does not
// pay for what `verify-payout` needs (pg, ethers, contract artifacts): startup is most of the time
// of a small aggregation. Adding a command is one line here; main.ts does not change.
export const COMMANDS: Readonly<Record<string, () => CliCommand>> = {
  aggregate: () => (require('./aggregate.command') as { aggregateCommand: CliCommand }).aggregateCommand,
  'verify-payout': () =>
    (require('./verify-payout.command') as { verifyPayoutCommand: CliCommand }).verifyPayoutCommand,
  simulate: () => (require('./simulate.command') as { simulateCommand: CliCommand }).simulateCommand,
};
