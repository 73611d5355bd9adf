import { Role } from '../../src/auth/role';
import { until } from '../datasets/dataset-fixtures';
import { signInAs } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { startWorkerProcess } from '../support/worker-process';
import { invariantViolations } from '../tasks/invariants';
import { appeal, claimCase, resolve } from './reviewer';
import {
  assignmentsOf,
  earningsOf,
  WRONG_GOLD_ENV,
  wrongGoldDataset,
  type AssignmentState,
  type WrongGold,
} from './wrong-gold';

// A worker process that dispatches the re-score job the resolution wrote to the outbox and runs
// it one worker a chunk (and resumes unfinished ones every second); `fault` makes it SIGKILL
// itself inside its second chunk, after the first one committed.
const startWorker = (app: TestApp, fault: Record<string, string>) =>
  startWorkerProcess(app, {
    config: { rescoreChunkWorkers: 1, disputeScanSeconds: 1, verdictIntervalSeconds: 0 },
    env: { FAULT_KILL_MID_RESCORE: '', ...fault },
  });

describe('a gold re-score killed midway', () => {
  jest.setTimeout(180_000);
  let app: TestApp;
  let s: WrongGold;
  let before: AssignmentState[];
  const rescore = async (): Promise<{ cursor: string | null; workers: number; finished: boolean }> =>
    (
      await app.dataSource.query(
        'SELECT cursor, workers, finished_at IS NOT NULL AS finished FROM gold_rescores WHERE item_id = $1',
        [s.g0],
      )
    )[0];

  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: WRONG_GOLD_ENV });
    s = await wrongGoldDataset(app, { honest: 4 });
    before = await assignmentsOf(app, s.dataset.id);
    const reviewer = await signInAs(app, [Role.REVIEWER]);
    const rejected = before.find((a) => a.worker_id === s.honest[0].id && a.status === 'REJECTED')!;
    await appeal(app, s.honest[0].token, rejected.id);
    const held = await claimCase(app, reviewer.token);
    // Not upheld: the appellant's assignment is left to the re-score, like everyone else's.
    const decided = await resolve(app, reviewer.token, held.case!.dispute.id, {
      uphold: false,
      gold: [{ itemId: s.g0, verdict: 'CORRECT', label: 'cat' }],
    });
    expect(decided.data.resolveDispute.outcome).toBe('GOLD_CHANGED');
  });
  afterAll(() => app.close());

  it('keeps what its committed chunks did, loses nothing of the one it died in, and a restart finishes it paying each assignment once', async () => {
    const dying = startWorker(app, { FAULT_KILL_MID_RESCORE: '1' });
    expect(await dying.exited).toBe('SIGKILL');
    // The first chunk (one worker) committed; the second died before its commit.
    const midway = await rescore();
    expect(midway).toMatchObject({ workers: 1, finished: false });
    expect(midway.cursor).not.toBeNull();
    expect(await invariantViolations(app.dataSource, s.dataset.id)).toEqual({});
    const earningsMidway = await earningsOf(app, s.dataset.id);
    for (const [, n] of earningsMidway) expect(n).toBe(1);

    const healthy = startWorker(app, {});
    try {
      await until(async () => (await rescore()).finished, 120_000);
    } finally {
      healthy.child.kill('SIGTERM');
      await healthy.exited;
    }
    const after = await assignmentsOf(app, s.dataset.id);
    const honest = s.honest.map((u) => u.id);
    const turned = after
      .filter((a) => a.status === 'ACCEPTED' && before.find((b) => b.id === a.id)?.status === 'REJECTED')
      .map((a) => a.id)
      .sort();
    expect(turned).toEqual(
      before
        .filter((a) => a.status === 'REJECTED' && honest.includes(a.worker_id))
        .map((a) => a.id)
        .sort(),
    );
    const earnings = await earningsOf(app, s.dataset.id);
    for (const a of after) expect([a.id, earnings.get(a.id) ?? 0]).toEqual([a.id, a.status === 'ACCEPTED' ? 1 : 0]);
    expect(await invariantViolations(app.dataSource, s.dataset.id)).toEqual({});
  });
});
