import type { LabelSchema } from '../../src/datasets/dataset-status';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset, type DatasetFixture } from '../support/fixtures';
import { errorCode } from '../support/gql';
import { signIn, type SignedInUser } from '../support/sign-in';
import { seededRandom } from '../support/seeded-random';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from './invariants';
import { VerdictService } from '../../src/tasks/verdict.service';
import { answersFor, claim, publishVerdicts, release, submit } from './labeler';

const LABELERS = 100;
const BAD_LABELERS = 10; // always miss gold: their work is rejected and they get blocked
const ROUNDS = 10;
const GOLD_EXPOSURE_CAP = 6; // the default for maxAnswersPerItem 3
// Each labeler draws its releases, answers and verdict timing from its own generator seeded from
// SEED, so a run makes the same choices whatever the interleaving; TEST_SEED replays another run.
const SEED = Number(process.env.TEST_SEED ?? 20261204);

// 100 labelers on two app instances (two processes, one database) claim and submit on one dataset
// until it is done, while verdicts are published concurrently on both instances, per worker as
// the verdict job does and by the overdue scan, and some submissions wait to be decided in a batch
// with the worker's next ones; then every invariant is checked as a query that must return no
// rows (invariants.ts).
describe(`assignment engine under concurrency (seed ${SEED})`, () => {
  let first: TestApp;
  let second: TestApp;
  let fixture: DatasetFixture;
  let users: SignedInUser[];
  const submitted = new Map<string, string>(); // assignment id -> status the client was told
  const unexpected: string[] = [];

  beforeAll(async () => {
    first = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '100000', QUALITY_MIN_GOLD_ANSWERS: '2' } });
    second = await startTestApp({ shareWith: first });
    // Every claim shows one gold item and each may be shown GOLD_EXPOSURE_CAP times: 60 x 6 = 360
    // exposures for 180 accepted assignments plus the rejected and released ones.
    // Free text: the last accepting verdict completes the dataset. (On single choice only a
    // consensus run may, since it sends tied items to review, and random answers tie often.)
    fixture = await createOpenDataset(first.dataSource, {
      labelSchema: { kind: 'FREE_TEXT' } as LabelSchema,
      items: 300,
      itemsPerTask: 5,
      answersPerItem: 3,
      gold: 60,
      goldPerTask: 1,
      goldExposureCap: GOLD_EXPOSURE_CAP,
      // A bar at which the floor of 2 gold answers is also enough evidence: two misses out of two
      // make it 95% sure a worker is under 0.8 (0.2^2 = 4% < 5%). Under 0.5 it would take five, and
      // the bad labelers run out of work before they see that many gold items.
      minGoldAccuracy: 0.8,
    });
    await first.app.get(TaskSplitService).split(fixture.datasetId);
    users = [];
    for (let i = 0; i < LABELERS; i += 10)
      users.push(...(await Promise.all(Array.from({ length: 10 }, () => signIn(i % 20 === 0 ? first : second)))));
  }, 180_000);
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  async function labeler(index: number): Promise<void> {
    const user = users[index];
    const bad = index < BAD_LABELERS;
    const random = seededRandom(SEED + index);
    const randomInt = (n: number): number => Math.floor(random() * n);
    for (let step = 0; ; step++) {
      const instance = (index + step) % 2 === 0 ? first : second;
      const res = await claim(instance, user.token, fixture.datasetId);
      // Blocked, or the dataset is no longer open (once COMPLETED a labeler cannot see it: NOT_FOUND).
      if (['WORKER_BLOCKED_ON_DATASET', 'DATASET_NOT_OPEN', 'NOT_FOUND'].includes(errorCode(res) ?? '')) return;
      if (res.errors) return void unexpected.push(`claim: ${JSON.stringify(res.errors)}`);
      if (!res.assignment) return;
      const other = instance === first ? second : first;
      if (randomInt(20) === 0) {
        if ((await release(other, user.token, res.assignment.id)).data?.releaseAssignment !== true)
          unexpected.push('release failed');
        continue;
      }
      const done = await submit(
        other,
        user.token,
        res.assignment.id,
        answersFor(res.assignment, fixture, { goldCorrect: !bad, regular: ['cat', 'dog', 'bird'][randomInt(3)] }),
      );
      if (!done.assignment) return void unexpected.push(`submit: ${JSON.stringify(done.errors)}`);
      submitted.set(done.assignment.id, done.assignment.status);
      // The verdict: left pending (decided later with the worker's next submissions), decided for
      // this worker as the verdict job does, or by the overdue scan over everyone's, racing the
      // other labelers' own verdicts.
      const verdict = randomInt(3);
      if (verdict === 1)
        await instance.app.get(VerdictService).decide({ workerId: user.id, datasetId: fixture.datasetId });
      if (verdict === 2) await publishVerdicts(instance);
    }
  }

  it('finishes the dataset with every invariant intact', async () => {
    // Rounds, because a slot held by a submission waiting for its verdict, or reopened by a
    // rejection, after everyone else stopped asking needs another pass; each round is all
    // labelers at once, then whatever is still pending is published.
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(users.map((_, index) => labeler(index)));
      await publishVerdicts(round % 2 === 0 ? first : second);
      const [{ status }] = await first.dataSource.query('SELECT status FROM datasets WHERE id = $1', [
        fixture.datasetId,
      ]);
      if (status === 'COMPLETED') break;
    }
    expect(unexpected).toEqual([]);
    const q = (sql: string) => first.dataSource.query(sql, [fixture.datasetId]);
    expect(await invariantViolations(first.dataSource, fixture.datasetId)).toEqual({});
    // And the dataset is finished: every regular item has exactly answersPerItem accepted answers,
    // every task all its accepted assignments, the dataset is COMPLETED.
    expect(
      await q(
        `SELECT i.id FROM items i WHERE i.dataset_id = $1 AND NOT i.is_gold AND (i.answer_count <> 3 OR i.status <> 'LABELED')`,
      ),
    ).toEqual([]);
    expect(
      await q(
        `SELECT t.id FROM tasks t WHERE t.dataset_id = $1 AND (t.accepted_count <> t.slots OR t.open_slots <> 0)`,
      ),
    ).toEqual([]);
    expect(await q(`SELECT status FROM datasets WHERE id = $1`)).toEqual([{ status: 'COMPLETED' }]);
    // Every submit was answered SUBMITTED (no verdict at submit), every one was decided, and
    // nothing was stored that a client was not told about.
    expect(new Set(submitted.values())).toEqual(new Set(['SUBMITTED']));
    const stored: { id: string; status: string }[] = await q(
      `SELECT id, status FROM assignments WHERE dataset_id = $1 AND status IN ('SUBMITTED', 'ACCEPTED', 'REJECTED')`,
    );
    expect(stored.map((s) => s.id).sort()).toEqual([...submitted.keys()].sort());
    expect(stored.filter((s) => s.status === 'SUBMITTED')).toEqual([]);
    // The gate did its job: a worker is blocked exactly when they are a bad labeler with the minimum
    // gold answers (2 here; one may not get there before the work runs out), and no bad labeler's
    // work was ever accepted.
    const bad = users.slice(0, BAD_LABELERS).map((u) => u.id);
    const gate = (sql: string) => first.dataSource.query(sql, [fixture.datasetId, bad]);
    expect(
      await gate(
        `SELECT worker_id FROM worker_stats WHERE dataset_id = $1 AND blocked <> (worker_id = ANY ($2::uuid[]) AND gold_seen >= 2)`,
      ),
    ).toEqual([]);
    // ... and that is not vacuous: the gate did block bad labelers.
    const [{ blocked }] = await gate(
      `SELECT count(*)::int AS blocked FROM worker_stats WHERE dataset_id = $1 AND worker_id = ANY ($2::uuid[]) AND blocked`,
    );
    expect(blocked).toBeGreaterThan(0);
    expect(
      await gate(
        `SELECT id FROM assignments WHERE dataset_id = $1 AND worker_id = ANY ($2::uuid[]) AND status = 'ACCEPTED'`,
      ),
    ).toEqual([]);
    // Nor was a good labeler's work rejected because it was decided in a batch or by a racing scan.
    expect(
      await gate(
        `SELECT id FROM assignments WHERE dataset_id = $1 AND NOT worker_id = ANY ($2::uuid[]) AND status = 'REJECTED'`,
      ),
    ).toEqual([]);
    expect(stored.filter((s) => s.status === 'REJECTED').length).toBeGreaterThan(0);
    // Some verdicts decided several submissions of one worker at once.
    expect(
      (
        await q(
          `SELECT count(*)::int AS n FROM (SELECT 1 FROM assignments WHERE dataset_id = $1 AND verdict_at IS NOT NULL GROUP BY worker_id, verdict_at HAVING count(*) > 1) b`,
        )
      )[0].n,
    ).toBeGreaterThan(0);
  }, 300_000);
});
