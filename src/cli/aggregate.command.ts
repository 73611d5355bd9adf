import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  aggregate,
  createAnswerEncoder,
  DEFAULT_METHOD,
  isMethodSelection,
  METHOD_SELECTIONS,
  type MethodSelection,
} from '../consensus';
import type { CliCommand, CliIo } from './cli-command';
import { CliUsageError, EXIT_OK } from './cli-error';
import { readAnswerFiles, writeLabelsCsv } from './csv-io';

// `aggregate --answers FILE [--gold FILE] [--method METHOD] [--out FILE]`: the same
// aggregate() the consensus service runs, over CSV files. Output rows follow the order in which
// items first appear in the answers file (then gold-only items).

const USAGE = `aggregate --answers FILE [--gold FILE] [--method ${METHOD_SELECTIONS.join('|')}] [--out FILE]`;

export const aggregateCommand: CliCommand = {
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const options = parseOptions(args);
    const encoded = await readAnswerFiles({
      encoder: createAnswerEncoder(),
      answersPath: options.answers,
      goldPath: options.gold,
    });
    const result = aggregate({ method: options.method, matrix: encoded.matrix, gold: encoded.gold });
    if (options.out === undefined) {
      await writeLabelsCsv({ encoded, result, out: io.stdout });
    } else {
      await writeFileSafely({ path: options.out, write: (out) => writeLabelsCsv({ encoded, result, out }) });
    }
    return EXIT_OK;
  },
};

/** Any failure to open or write the output file (missing directory, permissions, disk full) is
 * an environment problem the user fixes, so it becomes a CliUsageError (exit 2). events.once
 * rejects on the stream's 'error' event, which is what surfaces those failures here. */
async function writeFileSafely(params: {
  path: string;
  write: (out: NodeJS.WritableStream) => Promise<void>;
}): Promise<void> {
  const out = createWriteStream(params.path);
  try {
    await once(out, 'open');
    await params.write(out);
    out.end();
    await once(out, 'finish');
  } catch (error: unknown) {
    out.destroy();
    throw new CliUsageError(`cannot write ${params.path}: ${(error as Error).message}`);
  }
}

interface AggregateOptions {
  answers: string;
  gold?: string;
  method: MethodSelection;
  out?: string;
}

function parseOptions(args: readonly string[]): AggregateOptions {
  let values: { answers?: string; gold?: string; method?: string; out?: string };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        answers: { type: 'string' },
        gold: { type: 'string' },
        method: { type: 'string', default: DEFAULT_METHOD },
        out: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error: unknown) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.answers === undefined) throw new CliUsageError('--answers FILE is required');
  const method = values.method ?? DEFAULT_METHOD;
  if (!isMethodSelection(method))
    throw new CliUsageError(`--method must be one of ${METHOD_SELECTIONS.join(', ')} (got "${method}")`);
  return { answers: values.answers, gold: values.gold, method, out: values.out };
}
