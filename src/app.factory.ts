import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { Clock } from './common/clock';
import type { RuntimeConfig } from './config/runtime-config';
import { migrateDatabase } from './database/migrate';

export { migrateDatabase };

const GRAPHQL_BODY_LIMIT = '1mb';

// Builds the Nest application for any role; main.ts and the tests both come through here.
export async function createApp(config: RuntimeConfig, options: { clock?: Clock } = {}): Promise<INestApplication> {
  if (config.dbMigrateOnBoot) await migrateDatabase(config.databaseUrl);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.use(helmet({ contentSecurityPolicy: false }));
  // Upload routes stream their own bodies; only GraphQL gets a parsed (and bounded) JSON body.
  app.useBodyParser('json', { limit: GRAPHQL_BODY_LIMIT, type: ['application/json', 'application/graphql-response+json'] });
  app.set('trust proxy', 'loopback');
  app.enableShutdownHooks();
  return app;
}
