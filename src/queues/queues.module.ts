import { Global, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bull';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { OutboxDispatcher } from './outbox-dispatcher.service';
import { OutboxRepository } from './outbox.repository';
import { QUEUES } from './queue-names';
import { RedisService } from './redis.service';

// The one module that registers bull and every queue. Processors live in their domains and are
// loaded only in worker processes.
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [RUNTIME_CONFIG],
      useFactory: (config: RuntimeConfig) => ({ redis: config.redisUrl, prefix: config.queuePrefix }),
    }),
    BullModule.registerQueue(...Object.values(QUEUES).map((name) => ({ name }))),
  ],
  providers: [RedisService, OutboxRepository, OutboxDispatcher],
  exports: [BullModule, RedisService, OutboxDispatcher],
})
export class QueuesModule {}
