import { Module } from '@nestjs/common';
import { OutboxProcessor } from './outbox.processor';

// Loaded only in worker processes (ROLE=worker or all).
@Module({ providers: [OutboxProcessor] })
export class QueueWorkersModule {}
