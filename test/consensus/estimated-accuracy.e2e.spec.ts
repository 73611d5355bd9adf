import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset } from '../support/fixtures';
import { signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { answersFor, claim, submitAndSettle } from '../tasks/labeler';
import { consensusService } from './fixtures';

// A worker's estimated accuracy has one writer, the full consensus run. Submits and their
// verdicts record gold counts and blocks only, so a verdict after a run cannot replace the run's
// estimate with a gold-only one (before #15 each overwrote the other, and what was shown depended
// on which ran last).
describe('estimated accuracy', () => {
  let app: TestApp;
  beforeAll(async () => {
    // api role: no consensus processor runs on its own; the test runs consensus when it wants.
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => app.close());

  const estimate = async (workerId: string, datasetId: string): Promise<number | null> =>
    (
      await app.dataSource.query(
        'SELECT estimated_accuracy FROM worker_stats WHERE worker_id = $1 AND dataset_id = $2',
        [workerId, datasetId],
      )
    )[0].estimated_accuracy;

  it('is written by the full consensus run and left alone by later submits and verdicts', async () => {
    const fixture = await createOpenDataset(app.dataSource, {
      items: 20,
      itemsPerTask: 5,
      gold: 6,
      goldPerTask: 1,
      answersPerItem: 1,
    });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    const user = await signIn(app);
    const labelOnce = async () => {
      const { assignment } = await claim(app, user.token, fixture.datasetId);
      const res = await submitAndSettle(app, user.token, assignment!.id, answersFor(assignment!, fixture));
      expect(res.errors).toBeUndefined();
      expect(res.verdict).toBe('ACCEPTED');
    };

    await labelOnce();
    expect(await estimate(user.id, fixture.datasetId)).toBeNull();

    await consensusService(app.dataSource).aggregateDataset(fixture.datasetId);
    const fromRun = await estimate(user.id, fixture.datasetId);
    expect(fromRun).toEqual(expect.any(Number));

    await labelOnce();
    expect(await app.dataSource.query('SELECT gold_seen FROM worker_stats WHERE worker_id = $1', [user.id])).toEqual([
      { gold_seen: 2 },
    ]);
    expect(await estimate(user.id, fixture.datasetId)).toBe(fromRun);
  });
});
