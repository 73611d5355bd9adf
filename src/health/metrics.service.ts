import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry, type Metric } from 'prom-client';
import { RequestDurations } from './request-durations';

// A registry per app instance (tests boot several in one process); metrics are named once here.
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpDurations = new RequestDurations(
    'labelchain_http_request_duration_seconds',
    'HTTP request duration',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  );

  constructor() {
    this.registry.registerMetric(this.httpDurations as unknown as Metric);
    collectDefaultMetrics({ register: this.registry, prefix: 'labelchain_' });
  }

  /** One request's duration; `route` is the route template (or 'unmatched'), never a raw path. */
  observeHttp(request: { method: string; route: string; status: number }, seconds: number): void {
    this.httpDurations.observe(request, seconds);
  }
}
