import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import Redis from 'ioredis';

// For `npm start`: use the Redis at REDIS_URL; if none answers on a local URL, spawn
// `redis-server` from PATH (queue state only, nothing persisted), or explain how to get one.
export async function ensureRedis(params: {
  url: string;
  dataDir: string;
  log: (line: string) => void;
}): Promise<{ stop(): void }> {
  if (await answers(params.url)) return { stop: () => undefined };
  const target = new URL(params.url);
  if (!['127.0.0.1', 'localhost', '::1'].includes(target.hostname)) {
    throw new Error(`Redis at ${params.url} does not answer. Start it, or set REDIS_URL to a running Redis.`);
  }
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'No Redis answers at ' +
        params.url +
        ' and redis-server is not installed. Install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL.',
    );
  }
  const dir = resolve(params.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = target.port || '6379';
  params.log(`starting redis-server on port ${port}`);
  const child = spawn(
    'redis-server',
    ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await answers(params.url)) return { stop: () => child.kill('SIGTERM') };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
