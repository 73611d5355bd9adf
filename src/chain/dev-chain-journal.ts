// Keeps the `npm start` dev chain across restarts, as the embedded database is kept. Hardhat 2
// cannot save its state, but it is deterministic: the same genesis (fixed initialDate), the same
// calls in the same order and the same block timestamps give the same blocks, hashes included.
// So every call that changes the chain is appended to <stateDir>/journal.ndjson with the
// timestamp of the block it mined, and replayed before the server takes its first request.
// A replay that produces another block hash stops with one line instead of serving a chain the
// database does not know.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EthereumProvider, RequestArguments } from 'hardhat/types';
import { BootError } from '../config/boot-error';

const JOURNAL_FILE = 'journal.ndjson';
const FORMAT = 'labelchain-dev-chain/1';

interface Header {
  format: typeof FORMAT;
  chainId: number;
  initialDate: string;
}

interface Entry {
  method: string;
  params: unknown[];
  /** Timestamp (hex seconds) of the first block the call mined; absent when it mined none. */
  timestamp?: string;
  /** Hash of the latest block after the call, when it mined: checked on replay. */
  blockHash?: string;
}

// Calls that change chain state. Timestamps are not journaled as calls (evm_increaseTime,
// evm_setNextBlockTimestamp): their effect is in the recorded block timestamps.
const RECORDED = new Set([
  'eth_sendTransaction',
  'eth_sendRawTransaction',
  'evm_mine',
  'hardhat_mine',
  'evm_snapshot',
  'evm_revert',
  'evm_setAutomine',
  'evm_setBlockGasLimit',
  'hardhat_setBalance',
  'hardhat_setCode',
  'hardhat_setNonce',
  'hardhat_setStorageAt',
  'hardhat_impersonateAccount',
  'hardhat_stopImpersonatingAccount',
  'hardhat_setCoinbase',
  'hardhat_setPrevRandao',
  'hardhat_setNextBlockBaseFeePerGas',
  'hardhat_setMinGasPrice',
  'hardhat_dropTransaction',
]);

// Calls whose effect cannot be replayed from a journal: blocks mined on a timer, or a chain reset.
const REFUSED = new Set(['evm_setIntervalMining', 'hardhat_reset']);

type Provider = Pick<EthereumProvider, 'request'>;

interface Block {
  number: string;
  hash: string;
  timestamp: string;
}

export class DevChainJournal {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    readonly initialDate: string,
    /** Read at open, dropped once replayed: memory does not grow with the chain's history. */
    private entries: Entry[],
  ) {}

  /** Opens the journal in `stateDir`, or starts one (a new chain dated now). */
  static open(stateDir: string, chainId: number): DevChainJournal {
    const dir = resolve(stateDir);
    const file = join(dir, JOURNAL_FILE);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      const header: Header = { format: FORMAT, chainId, initialDate: new Date().toISOString() };
      writeFileSync(file, `${JSON.stringify(header)}\n`);
      return new DevChainJournal(file, header.initialDate, []);
    }
    const lines = readFileSync(file, 'utf8').split('\n');
    const header = parseLine<Header>(lines[0]);
    if (header?.format !== FORMAT || header.chainId !== chainId) {
      throw new BootError(
        `${file} is not a Labelchain dev chain journal for chain ${chainId}: move it away, or delete DATA_DIR to start the chain and the database over`,
      );
    }
    const entries: Entry[] = [];
    for (const [index, line] of lines.slice(1).entries()) {
      if (line.trim() === '') continue;
      const entry = parseLine<Entry>(line);
      // Only the last line can be torn (killed mid-write); anything else is damage.
      if (entry === null && index < lines.length - 2)
        throw new BootError(
          `${file} is damaged at line ${index + 2}: delete DATA_DIR to start the chain and the database over`,
        );
      if (entry !== null) entries.push(entry);
    }
    return new DevChainJournal(file, header.initialDate, entries);
  }

  /** Replays the journal on a chain started from its genesis; returns how many calls it replayed. */
  async replay(provider: Provider): Promise<number> {
    for (const [index, entry] of this.entries.entries()) {
      if (entry.timestamp !== undefined)
        await provider.request({ method: 'evm_setNextBlockTimestamp', params: [entry.timestamp] });
      try {
        await provider.request({ method: entry.method, params: entry.params });
      } catch (error) {
        throw this.diverged(index, `${entry.method} failed: ${(error as Error).message}`);
      }
      if (entry.blockHash !== undefined) {
        const latest = await latestBlock(provider);
        if (latest.hash !== entry.blockHash)
          throw this.diverged(
            index,
            `block ${BigInt(latest.number)} is ${latest.hash}, the journal says ${entry.blockHash}`,
          );
      }
    }
    const replayed = this.entries.length;
    this.entries = [];
    return replayed;
  }

  /**
   * The provider to serve: state-changing calls go through one at a time and are appended to the
   * journal once they succeeded; reads pass straight through.
   */
  recording(provider: EthereumProvider): EthereumProvider {
    const request = (args: RequestArguments): Promise<unknown> => {
      if (REFUSED.has(args.method))
        return Promise.reject(new Error(`${args.method} is not available on the kept dev chain`));
      if (!RECORDED.has(args.method)) return provider.request(args);
      const run = this.tail.then(() => this.recordCall(provider, args));
      this.tail = run.catch(() => undefined);
      return run;
    };
    return new Proxy(provider, {
      get: (target, property, receiver) => {
        if (property === 'request') return request;
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /**
   * Mines one empty block at the current time, through the journal: after a replay the chain's
   * clock would otherwise go on from the last recorded block, behind by the time it was down.
   */
  async catchUpClock(provider: Provider): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    if (now > Number((await latestBlock(provider)).timestamp) + 1) {
      await provider.request({ method: 'evm_mine', params: [now] });
    }
  }

  private async recordCall(provider: EthereumProvider, args: RequestArguments): Promise<unknown> {
    const before = BigInt((await provider.request({ method: 'eth_blockNumber' })) as string);
    const result = await provider.request(args);
    const after = await latestBlock(provider);
    const entry: Entry = { method: args.method, params: (args.params ?? []) as unknown[] };
    if (BigInt(after.number) > before) {
      const first = (await provider.request({
        method: 'eth_getBlockByNumber',
        params: [`0x${(before + 1n).toString(16)}`, false],
      })) as Block;
      entry.timestamp = first.timestamp;
      entry.blockHash = after.hash;
    }
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    return result;
  }

  private diverged(index: number, reason: string): BootError {
    return new BootError(
      `the dev chain kept in ${this.file} does not replay (call ${index + 1}: ${reason}); delete DATA_DIR to start the chain and the database over`,
    );
  }
}

function parseLine<T>(line: string | undefined): T | null {
  try {
    return line === undefined ? null : (JSON.parse(line) as T);
  } catch {
    return null;
  }
}

async function latestBlock(provider: Provider): Promise<Block> {
  return (await provider.request({ method: 'eth_getBlockByNumber', params: ['latest', false] })) as Block;
}
