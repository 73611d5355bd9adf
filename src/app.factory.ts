import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { Clock } from './common/clock';
import { createRootLogger, PinoNestLogger } from './common/logger';
import type { RuntimeConfig } from './config/runtime-config';
import { migrateDatabase } from './database/migrate';
import { MetricsService } from './health/metrics.service';
import { installBodyParsers } from './http/body-parsers';
import { fastifyOptions } from './http/fastify-options';
import { installRequestHooks } from './http/request-hooks';

export { migrateDatabase };

const GRAPHQL_BODY_LIMIT_BYTES = 1024 * 1024;

// Builds the Nest application (on Fastify) for any role; main.ts and the tests both come through here.
export async function createApp(
  config: RuntimeConfig,
  options: { clock?: Clock } = {},
): Promise<NestFastifyApplication> {
  if (config.dbMigrateOnBoot) await migrateDatabase(config.databaseUrl);
  const logger = createRootLogger(config.logLevel);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options),
    new FastifyAdapter(fastifyOptions(config)),
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(new PinoNestLogger(logger));
  const fastify = app.getHttpAdapter().getInstance();
  installBodyParsers(fastify, { jsonLimitBytes: GRAPHQL_BODY_LIMIT_BYTES });
  installRequestHooks(fastify, { logger, metrics: app.get(MetricsService) });
  app.enableShutdownHooks();
  return app;
}
