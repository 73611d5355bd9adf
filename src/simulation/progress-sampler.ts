import type { JsonRpcProvider } from 'ethers';
import { formatTokenAmount } from '../common/money';
import type { ApiClient, Session } from './api-client';
import { tokenBalance } from './collect';
import { setTimeout as pause } from 'node:timers/promises';
import type { ProgressView } from './progress';
import type { ChainInfo, FundedDataset } from './requester';
import type { ProgressSample } from './report';

// Once a second while a run goes on: the dataset's status and progress (what the crowd and the
// reviewers wait for), and the tokens paid so far read off the chain — a sample for the report's
// progress chart and the live view.

export interface DatasetState {
  status: string;
  openDisputes: number;
}

export interface ProgressSampler {
  readonly samples: ProgressSample[];
  readonly state: DatasetState;
  /** One sample now (also called while the settlement waits). */
  sample(): Promise<void>;
  stop(): Promise<void>;
}

export function startProgressSampler(params: {
  api: ApiClient;
  requester: Session;
  requesterAddress: string;
  provider: JsonRpcProvider;
  chain: ChainInfo;
  funded: FundedDataset;
  items: number;
  seconds: () => number;
  view: ProgressView;
  lastFault: () => string;
}): ProgressSampler {
  const { api, chain, funded, provider } = params;
  const samples: ProgressSample[] = [];
  const state: DatasetState = { status: 'OPEN', openDisputes: 0 };
  // What left the vault for labelers and reviewers: all that left it, less what came back to the
  // requester's wallet (the refund, once it is mined).
  const paidOnChain = async () => {
    const vault = await tokenBalance(provider, chain.tokenAddress, chain.vaultAddress);
    const requester = await tokenBalance(provider, chain.tokenAddress, params.requesterAddress);
    return funded.vaultBefore + funded.deposited - vault - (requester - funded.requesterBefore);
  };
  const sample = async () => {
    const { dataset } = await api.gql<{
      dataset: { status: string; progress: { labeledItems: number; answers: number; openDisputes: number } };
    }>(
      'query($d: ID!) { dataset(id: $d) { status progress { labeledItems answers openDisputes } } }',
      { d: funded.id },
      params.requester.token,
    );
    const paidNow = await paidOnChain().catch(() => null);
    const s: ProgressSample = {
      t: params.seconds(),
      labeledItems: dataset.progress.labeledItems,
      answers: dataset.progress.answers,
      openDisputes: dataset.progress.openDisputes,
      paid: paidNow === null ? (samples.at(-1)?.paid ?? '0') : formatTokenAmount(paidNow, chain.decimals),
    };
    samples.push(s);
    Object.assign(state, { status: dataset.status, openDisputes: dataset.progress.openDisputes });
    params.view.update(s, params.items, params.lastFault());
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      // A sample that fails (an API process restarting) is simply skipped.
      await sample().catch(() => undefined);
      await pause(1000);
    }
  })();
  return {
    samples,
    state,
    sample: () => sample().catch(() => undefined),
    async stop() {
      running = false;
      await loop;
      params.view.stop();
    },
  };
}
