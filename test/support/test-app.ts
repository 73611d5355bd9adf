import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { createApp } from '../../src/app.factory';
import type { Clock } from '../../src/common/clock';
import { NO_CHAIN_DECIMALS } from '../../src/common/money';
import { parseConfig, tokenTerms } from '../../src/config/config.schema';
import type { ChainSettings, RuntimeConfig } from '../../src/config/runtime-config';
import { createTestDatabase, type TestDatabase } from './test-database';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  url: string;
  config: RuntimeConfig;
  dataSource: DataSource;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  role?: RuntimeConfig['role'];
  clock?: Clock;
  chain?: ChainSettings | null;
  // A second instance shares the first one's database and queues (two processes, one pool);
  // with `chain` too, it talks to that chain instead (a restarted or swapped chain); with `env`,
  // it has its own settings (a restart with another configuration).
  shareWith?: TestApp;
}

export function testRuntimeConfig(params: {
  databaseUrl: string;
  queuePrefix: string;
  env?: Record<string, string>;
  role?: RuntimeConfig['role'];
  chain?: ChainSettings | null;
}): RuntimeConfig {
  // Verdicts are due at once unless a test says otherwise (tests of the batching itself do);
  // tests publish them with publishVerdicts (test/tasks/labeler.ts) instead of waiting for the job.
  const base = parseConfig({
    NODE_ENV: 'test',
    REDIS_URL: TEST_REDIS_URL,
    VERDICT_MAX_DELAY_SECONDS: '0',
    ...params.env,
  });
  return {
    ...base,
    role: params.role ?? base.role,
    databaseUrl: params.databaseUrl,
    jwtSecret: 'test-secret-'.padEnd(40, 'x'),
    chain: params.chain ?? null,
    queuePrefix: params.queuePrefix,
    ...tokenTerms(base, params.chain?.tokenDecimals ?? NO_CHAIN_DECIMALS),
  };
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db: TestDatabase | null = options.shareWith ? null : await createTestDatabase();
  const shared = options.shareWith?.config;
  const config = shared
    ? options.env
      ? testRuntimeConfig({
          databaseUrl: shared.databaseUrl,
          queuePrefix: shared.queuePrefix,
          env: options.env,
          role: options.role ?? shared.role,
          chain: options.chain !== undefined ? options.chain : shared.chain,
        })
      : {
          ...shared,
          role: options.role ?? shared.role,
          chain: options.chain !== undefined ? options.chain : shared.chain,
        }
    : testRuntimeConfig({
        databaseUrl: (db as TestDatabase).url,
        queuePrefix: `lc_test_${randomBytes(4).toString('hex')}`,
        env: { DB_MIGRATE_ON_BOOT: 'false', ...options.env },
        role: options.role,
        chain: options.chain,
      });
  const app = await createApp(config, { clock: options.clock });
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    // A boot refusal (e.g. the wrong chain) must not leave connections behind.
    await app.close();
    await db?.drop();
    throw error;
  }
  const url = await app.getUrl();
  return {
    app,
    http: request(app.getHttpServer()),
    url,
    config,
    dataSource: app.get<DataSource>(getDataSourceToken()),
    close: async () => {
      await app.close();
      if (db) {
        await clearQueuePrefix(config.queuePrefix);
        await db.drop();
      }
    },
  };
}

async function clearQueuePrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
