import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { MetricsService } from '../health/metrics.service';
import { DisputesRepository } from './disputes.repository';

const QUEUE_LABEL = { OPEN: 'REVIEWER', ESCALATED: 'ADMIN' } as const;

// The reviewer queues on /metrics: cases waiting (not held by a live lease) and the age of the
// oldest, per queue (REVIEWER, ADMIN). Read from PostgreSQL at scrape time (one grouped query
// over the open cases), so every replica reports the same numbers.
@Injectable()
export class DisputeQueueMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly disputes: DisputesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const read = async (): Promise<Map<string, { depth: number; age: number }>> => {
      const now = this.clock.now();
      const rows = await this.disputes.queueDepth(this.dataSource.manager, now);
      const byQueue = new Map(Object.values(QUEUE_LABEL).map((q) => [q as string, { depth: 0, age: 0 }]));
      for (const r of rows)
        if (r.queue !== 'RESOLVED')
          byQueue.set(QUEUE_LABEL[r.queue], {
            depth: r.depth,
            age: r.oldest ? Math.max(0, (now.getTime() - r.oldest.getTime()) / 1000) : 0,
          });
      return byQueue;
    };
    new Gauge({
      name: 'labelchain_dispute_queue_depth',
      help: 'Dispute cases waiting for a reviewer (not held by a live lease), per queue',
      labelNames: ['queue'],
      registers: [this.metrics.registry],
      async collect() {
        for (const [queue, v] of await read()) this.set({ queue }, v.depth);
      },
    });
    new Gauge({
      name: 'labelchain_dispute_queue_oldest_age_seconds',
      help: 'Age of the oldest dispute case waiting, per queue (0 when empty)',
      labelNames: ['queue'],
      registers: [this.metrics.registry],
      async collect() {
        for (const [queue, v] of await read()) this.set({ queue }, v.age);
      },
    });
  }
}
