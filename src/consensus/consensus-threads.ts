import { Worker } from 'node:worker_threads';
import type { AggregateInput, AggregateResult } from './aggregate';
import type { AggregationEngine } from './aggregation-engine';
import type { ThreadJob, ThreadJobMessage } from './consensus-thread.job';
import type { MultiChoiceInput, MultiChoiceResult } from './multi-choice';

// An AggregationEngine that runs every job in its own worker thread, so a long EM run (seconds to
// minutes on millions of answers) never blocks the event loop of the process that asked for it:
// HTTP keeps answering, and bull keeps renewing the job's lock (a lock that is not renewed
// expires, and the job is handed to another worker and run twice). One thread per job: a
// thread starts in tens of milliseconds, nothing to pool for jobs that take seconds.
//
// The answer columns are copied to the thread (the caller keeps using them); the results come
// back transferred. From compiled JavaScript the thread loads the .js module next to this file;
// under TypeScript (tests, benches) it registers @swc-node/register first.

const JOB_MODULE = require.resolve('./consensus-thread.job');

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.typescript) require('@swc-node/register');
require(workerData.module);
`;

/** Test seam (see ThreadJobMessage.hold): while set, every thread waits on it before computing. */
export const threadTestHooks: { hold: Int32Array | null } = { hold: null };

export const WORKER_THREAD_ENGINE: AggregationEngine = {
  categorical: (input: AggregateInput) => runInThread<AggregateResult>({ kind: 'categorical', input }),
  multiChoice: (input: MultiChoiceInput) => runInThread<MultiChoiceResult>({ kind: 'multi-choice', input }),
};

function runInThread<T>(job: ThreadJob): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { module: JOB_MODULE, typescript: JOB_MODULE.endsWith('.ts') },
    });
    let settled = false;
    worker.once('message', (result: T) => {
      settled = true;
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`consensus thread exited with code ${code} before answering`));
    });
    const message: ThreadJobMessage = { job, ...(threadTestHooks.hold ? { hold: threadTestHooks.hold } : {}) };
    worker.postMessage(message);
  });
}
