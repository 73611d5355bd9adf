import { Global, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { HealthController } from './health.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({ controllers: [HealthController], providers: [MetricsService], exports: [MetricsService] })
export class HealthModule implements NestModule {
  constructor(private readonly metrics: MetricsService) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((req: Request, res: Response, next: NextFunction) => {
        const end = this.metrics.httpDuration.startTimer();
        // Route templates, not raw paths, keep label cardinality bounded.
        res.on('finish', () => end({ method: req.method, route: (req.route?.path as string | undefined) ?? req.baseUrl ?? 'unmatched', status: String(res.statusCode) }));
        next();
      })
      .forRoutes('*path');
  }
}
