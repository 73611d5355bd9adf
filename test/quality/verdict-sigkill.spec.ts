import { until } from '../datasets/dataset-fixtures';
import { signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { startWorkerProcess } from '../support/worker-process';
import { invariantViolations } from '../tasks/invariants';
import { claim, submit } from '../tasks/labeler';
import { publishDataset, type PublishedDataset } from './published-dataset';

// A worker process with the verdict scan every second; `fault` makes it SIGKILL itself inside a
// verdict transaction.
const startWorker = (app: TestApp, fault: Record<string, string>) =>
  startWorkerProcess(app, { config: { verdictIntervalSeconds: 1 }, env: { FAULT_KILL_MID_VERDICT: '', ...fault } });

async function counts(
  app: TestApp,
  datasetId: string,
): Promise<{
  submitted: number;
  accepted: number;
  earnings: number;
  spent: string;
  committed: string;
  budget: string;
}> {
  const [row] = await app.dataSource.query(
    `SELECT (SELECT count(*) FROM assignments WHERE dataset_id = $1 AND status = 'SUBMITTED')::int AS submitted,
            (SELECT count(*) FROM assignments WHERE dataset_id = $1 AND status = 'ACCEPTED')::int AS accepted,
            (SELECT count(*) FROM ledger_entries WHERE dataset_id = $1 AND kind = 'EARNING')::int AS earnings,
            f.spent::text, f.committed::text, f.budget::text
       FROM dataset_funds f WHERE f.id = $1`,
    [datasetId],
  );
  return row;
}

describe('verdicts across a worker killed between submit and verdict', () => {
  jest.setTimeout(120_000);
  let app: TestApp;
  let dataset: PublishedDataset;
  beforeAll(async () => {
    // The api role only: submissions are stored and their verdict requested, nobody decides them.
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '100000' } });
    dataset = await publishDataset(app, {
      items: 24,
      gold: 12,
      input: { itemsPerTask: 2, answersPerItem: 1, goldPerTask: 1, minGoldAccuracy: 0.5 },
    });
    for (let w = 0; w < 6; w++) {
      const worker = await signIn(app);
      for (let n = 0; n < 2; n++) {
        const { assignment } = await claim(app, worker.token, dataset.id);
        const answers = assignment!.items.map((i) => ({
          itemId: i.id,
          label: dataset.goldLabelOf.get(i.id) ?? dataset.truthOf.get(i.id)!,
        }));
        expect((await submit(app, worker.token, assignment!.id, answers)).assignment!.status).toBe('SUBMITTED');
      }
    }
  });
  afterAll(() => app.close());

  it('a worker dying inside a verdict leaves nothing of it; the next one publishes every verdict once', async () => {
    expect(await counts(app, dataset.id)).toMatchObject({ submitted: 12, accepted: 0, earnings: 0, spent: '0' });
    const dying = startWorker(app, { FAULT_KILL_MID_VERDICT: '1' });
    expect(await dying.exited).toBe('SIGKILL');
    // Its transaction never committed: every submission still waits, nothing was paid.
    expect(await counts(app, dataset.id)).toMatchObject({ submitted: 12, accepted: 0, earnings: 0, spent: '0' });
    expect(await invariantViolations(app.dataSource, dataset.id)).toEqual({});

    const healthy = startWorker(app, {});
    try {
      await until(async () => (await counts(app, dataset.id)).submitted === 0, 60_000);
    } finally {
      healthy.child.kill('SIGTERM');
      await healthy.exited;
    }
    const after = await counts(app, dataset.id);
    // Every worker answered all gold right: 12 accepted, one earning each, 3 answers x 0.5 token.
    expect(after).toMatchObject({
      submitted: 0,
      accepted: 12,
      earnings: 12,
      spent: (12n * 3n * 5n * 10n ** 17n).toString(),
    });
    expect(BigInt(after.spent) + BigInt(after.committed)).toBeLessThanOrEqual(BigInt(after.budget));
    expect(await invariantViolations(app.dataSource, dataset.id)).toEqual({});
  });
});
