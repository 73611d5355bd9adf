import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { OutboxDispatcher } from './outbox-dispatcher.service';
import { QUEUES } from './queue-names';

const DISPATCH_EVERY_MS = 1000;

@Processor(QUEUES.outbox)
@Injectable()
export class OutboxProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly dispatcher: OutboxDispatcher,
    @InjectQueue(QUEUES.outbox) private readonly queue: Queue,
  ) {}

  // A repeatable job with a fixed id: every worker replica may register it, bull keeps one.
  async onApplicationBootstrap(): Promise<void> {
    await this.queue.add(
      'outbox.dispatch',
      {},
      { repeat: { every: DISPATCH_EVERY_MS }, jobId: 'outbox.dispatch', removeOnComplete: true, removeOnFail: 100 },
    );
  }

  @Process('outbox.dispatch')
  async dispatch(): Promise<number> {
    return this.dispatcher.dispatchPending();
  }
}
