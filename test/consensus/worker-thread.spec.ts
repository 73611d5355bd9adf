import Bull from 'bull';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { parseConfig } from '../../src/config/config.schema';
import type { RuntimeConfig } from '../../src/config/runtime-config';
import { threadTestHooks } from '../../src/consensus/consensus-threads';
import { TEST_REDIS_URL } from '../support/test-app';
import {
  acceptAnswers,
  consensusService,
  createConsensusDataset,
  createWorkers,
  openDatabase,
  resultsOf,
  type OpenDatabase,
} from './fixtures';

// Large aggregations run in a worker thread. What that buys, tested directly: while EM runs, the
// process's event loop is free, so bull keeps renewing the job's lock and the job is neither
// stalled nor run twice, however long EM takes. "As long as EM takes" is a thread held on a
// SharedArrayBuffer (threadTestHooks) until the test has seen the lock renewed.

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('consensus in a worker thread', () => {
  let db: OpenDatabase;
  beforeAll(async () => {
    db = await openDatabase();
  });
  afterAll(() => db.close());
  afterEach(() => {
    threadTestHooks.hold = null;
  });

  async function dataset() {
    const d = await createConsensusDataset(db.dataSource, { items: 30, answersPerItem: 3, aggregation: 'IBCC' });
    const workers = await createWorkers(db.dataSource, 3);
    // Worker 2 disagrees on every third item.
    await acceptAnswers(db.dataSource, {
      datasetId: d.datasetId,
      answers: d.regularIds.flatMap((id, i) =>
        workers.map((w, k) => [id, w, k === 2 && i % 3 === 0 ? 'dog' : 'cat'] as [string, string, string]),
      ),
    });
    return d;
  }

  it('stores exactly what the in-process run stores', async () => {
    const a = await dataset();
    const b = await dataset();
    await consensusService(db.dataSource).aggregateDataset(a.datasetId);
    await consensusService(db.dataSource, {
      ...parseConfig({}),
      consensusThreadAboveAnswers: 0,
    } as RuntimeConfig).aggregateDataset(b.datasetId);
    const strip = (rows: Awaited<ReturnType<typeof resultsOf>>, ids: string[]) =>
      ids.map((id) => {
        const { label, confidence, answers, method } = rows.get(id)!;
        return { label, confidence, answers, method };
      });
    const inProcess = strip(await resultsOf(db.dataSource, a.datasetId), a.regularIds);
    expect(strip(await resultsOf(db.dataSource, b.datasetId), b.regularIds)).toEqual(inProcess);
    expect(inProcess[0].method).toBe('IBCC');
  });

  it('keeps renewing the bull job lock while EM runs, so the job is neither stalled nor run twice', async () => {
    const d = await dataset();
    const service = consensusService(db.dataSource, {
      ...parseConfig({}),
      consensusThreadAboveAnswers: 0,
    } as RuntimeConfig);
    const prefix = `lc_thread_${randomBytes(4).toString('hex')}`;
    // A 1 s lock renewed every 0.5 s, and a stalled-job check every 0.5 s: a blocked event loop
    // would lose the lock within a second and the job would be taken again.
    const queue = new Bull('consensus-thread-test', TEST_REDIS_URL, {
      prefix,
      settings: { lockDuration: 1000, lockRenewTime: 500, stalledInterval: 500, maxStalledCount: 5 },
    });
    const redis = new Redis(TEST_REDIS_URL);
    const stalled: string[] = [];
    let runs = 0;
    queue.on('stalled', (job) => stalled.push(String(job.id)));
    try {
      void queue.process('aggregate', 1, async (job) => {
        runs++;
        return service.aggregateDataset(job.data.datasetId);
      });
      const hold = new Int32Array(new SharedArrayBuffer(8));
      threadTestHooks.hold = hold;
      const job = await queue.add('aggregate', { datasetId: d.datasetId });
      await until(() => Atomics.load(hold, 1) === 1, 'the aggregation thread to start');

      // EM is "running". Watch the lock's time to live go back up twice: renewed twice.
      const lockKey = `${prefix}:consensus-thread-test:${job.id}:lock`;
      let renewals = 0;
      let last = await redis.pttl(lockKey);
      await until(async () => {
        const ttl = await redis.pttl(lockKey);
        if (ttl > last) renewals++;
        last = ttl;
        return renewals >= 2;
      }, 'two lock renewals');
      // The event loop also serves other work meanwhile (here: a query on the same pool).
      expect(await db.dataSource.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);

      Atomics.store(hold, 0, 1);
      Atomics.notify(hold, 0);
      expect(await job.finished()).toMatchObject({ datasetId: d.datasetId, mode: 'full', answers: 90 });
      expect(runs).toBe(1);
      expect(stalled).toEqual([]);
      expect((await resultsOf(db.dataSource, d.datasetId)).get(d.regularIds[1])).toMatchObject({
        label: 'cat',
        method: 'IBCC',
      });
    } finally {
      await queue.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
