import { parentPort } from 'node:worker_threads';
import { aggregate, type AggregateInput } from './aggregate';
import { aggregateMultiChoice, type MultiChoiceInput } from './multi-choice';

// Runs inside a worker thread started by consensus-threads.ts: one job in, its result out, with
// the result's typed arrays transferred (not copied) back to the service's thread.

export type ThreadJob =
  | { kind: 'categorical'; input: AggregateInput }
  | { kind: 'multi-choice'; input: MultiChoiceInput };

export interface ThreadJobMessage {
  job: ThreadJob;
  /** Test seam, standing for an aggregation that takes as long as the test wants: when set, the
   * thread sets slot 1 to 1 (it is running) and waits until slot 0 becomes non-zero. */
  hold?: Int32Array;
}

export function runThreadJob(job: ThreadJob): { result: unknown; transfer: ArrayBuffer[] } {
  const result = job.kind === 'categorical' ? aggregate(job.input) : aggregateMultiChoice(job.input);
  const transfer = Object.values(result)
    .filter((v): v is Float64Array => ArrayBuffer.isView(v))
    .map((v) => v.buffer as ArrayBuffer);
  return { result, transfer: [...new Set(transfer)] };
}

parentPort?.once('message', (message: ThreadJobMessage) => {
  if (message.hold) {
    Atomics.store(message.hold, 1, 1);
    Atomics.wait(message.hold, 0, 0);
  }
  const { result, transfer } = runThreadJob(message.job);
  parentPort!.postMessage(result, transfer);
});
