import { setTimeout as pause } from 'node:timers/promises';
import type { Random } from './random';
import type { ChaosEvent } from './report';
import type { SimulationStack } from './stack';

// `--chaos`: while the crowd works, one fault after another, in turn: SIGKILL the worker process
// and start it again, SIGKILL one of the two API processes (clients fail over to the other) and
// start it again, cut the chain RPC off from the service for a while, and reorg recent blocks of
// the dev chain (evm_snapshot, let blocks be mined, evm_revert: their transactions are gone).
// stop() ends the current fault (after one of each kind at least) and leaves every process up
// and the RPC reachable.

type Fault = 'worker' | 'api' | 'rpc' | 'reorg';
const ORDER: Fault[] = ['worker', 'reorg', 'api', 'rpc'];

export function startChaos(params: {
  stack: SimulationStack;
  random: Random;
  now: () => number;
  events: ChaosEvent[];
}): { stop(): Promise<void> } {
  const { stack, random } = params;
  let stopping = false;
  const record = (what: string) => params.events.push({ t: params.now(), what });
  const wait = async (ms: number) => {
    const end = Date.now() + ms;
    while (!stopping && Date.now() < end) await pause(Math.min(250, end - Date.now()));
  };
  const blockNumber = async () =>
    Number(BigInt((await stack.chain.provider.request({ method: 'eth_blockNumber' })) as string));

  const act = async (fault: Fault) => {
    switch (fault) {
      case 'worker':
      case 'api': {
        const proc = fault === 'worker' ? stack.worker : stack.apis[stack.apis.length - 1];
        await proc.kill();
        record(`SIGKILL ${proc.name}`);
        await pause(500 + random() * 2500);
        await proc.start();
        record(`restarted ${proc.name}`);
        return;
      }
      case 'rpc':
        stack.rpc.down();
        record('chain RPC unreachable');
        await pause(3000 + random() * 5000);
        stack.rpc.up();
        record('chain RPC back');
        return;
      case 'reorg': {
        const snapshot = (await stack.chain.provider.request({ method: 'evm_snapshot' })) as string;
        const from = await blockNumber();
        const end = Date.now() + 10_000;
        while (Date.now() < end && (await blockNumber()) < from + 2) await pause(200);
        const depth = (await blockNumber()) - from;
        await stack.chain.provider.request({ method: 'evm_revert', params: [snapshot] });
        record(`reorg: ${depth} block${depth === 1 ? '' : 's'} dropped`);
        return;
      }
    }
  };

  // At least one fault of each kind, however short the run: once stop() is asked, the faults
  // not yet made in this round follow without pauses.
  const loop = (async () => {
    for (let i = 0; !stopping || i < ORDER.length; i++) {
      await wait(3000 + random() * 4000);
      await act(ORDER[i % ORDER.length]);
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
    },
  };
}
