import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { QUEUES } from '../queues/queue-names';
import { ChainIdentityService } from './chain-identity.service';
import { ChainService } from './chain.service';
import { DepositWatcherService } from './deposit-watcher.service';

@Processor(QUEUES.chain)
@Injectable()
export class DepositWatcherProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly watcher: DepositWatcherService,
    private readonly chain: ChainService,
    private readonly identity: ChainIdentityService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @InjectQueue(QUEUES.chain) private readonly queue: Queue,
  ) {}

  // Repeatable with a fixed job id: every worker replica registers it, bull keeps one.
  async onApplicationBootstrap(): Promise<void> {
    if (!this.chain.available || this.config.depositPollSeconds === 0) return;
    await this.queue.add(
      'chain.watch-deposits',
      {},
      {
        repeat: { every: this.config.depositPollSeconds * 1000 },
        jobId: 'chain.watch-deposits',
        removeOnComplete: true,
        removeOnFail: 100,
      },
    );
  }

  @Process('chain.watch-deposits')
  async watch(): Promise<number> {
    await this.identity.assertSameChain();
    return (await this.watcher.scan()).length;
  }
}
