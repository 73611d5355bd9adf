// Every queue and job of the service, with its payload, in one place. Payloads carry ids only:
// the database holds the state, so a job is safe to run twice or on two workers at once.

export const QUEUES = {
  tasks: 'tasks',
  consensus: 'consensus',
  payouts: 'payouts',
  chain: 'chain',
  outbox: 'outbox',
  disputes: 'disputes',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobPayloads {
  'tasks.split-dataset': { datasetId: string };
  'tasks.reap-leases': Record<string, never>;
  'tasks.decide-verdicts': { workerId: string; datasetId: string };
  'tasks.publish-verdicts': Record<string, never>;
  'tasks.fold-labeled-items': Record<string, never>;
  'consensus.aggregate-items': { datasetId: string };
  'consensus.aggregate-dataset': { datasetId: string };
  'payouts.build-batches': Record<string, never>;
  'payouts.send-batch': { batchId: string };
  'payouts.reconcile': { boot?: boolean };
  'chain.watch-deposits': Record<string, never>;
  'outbox.dispatch': Record<string, never>;
  'disputes.rescore-gold': { rescoreId: string };
  'disputes.scan': Record<string, never>;
}

export type JobName = keyof JobPayloads;

export function queueOf(job: JobName): QueueName {
  return job.slice(0, job.indexOf('.')) as QueueName;
}
