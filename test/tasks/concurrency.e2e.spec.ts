import { randomInt } from 'node:crypto';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset, type DatasetFixture } from '../support/fixtures';
import { errorCode } from '../support/gql';
import { signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from './invariants';
import { answersFor, claim, release, submit } from './labeler';

const LABELERS = 100;
const BAD_LABELERS = 10; // always miss gold: their work is rejected and they get blocked
const ROUNDS = 6;

// 100 labelers on two app instances (two processes, one database) claim and submit on one dataset
// until it is done; then every invariant is checked as a query that must return no rows
// (invariants.ts).
describe('assignment engine under concurrency', () => {
  let first: TestApp;
  let second: TestApp;
  let fixture: DatasetFixture;
  let users: SignedInUser[];
  const submitted = new Map<string, string>(); // assignment id -> status the client was told
  const unexpected: string[] = [];

  beforeAll(async () => {
    first = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '100000', QUALITY_MIN_GOLD_ANSWERS: '2' } });
    second = await startTestApp({ shareWith: first });
    fixture = await createOpenDataset(first.dataSource, { items: 300, itemsPerTask: 5, answersPerItem: 3, gold: 40, goldPerTask: 1, minGoldAccuracy: 0.5 });
    await first.app.get(TaskSplitService).split(fixture.datasetId);
    users = [];
    for (let i = 0; i < LABELERS; i += 10) users.push(...(await Promise.all(Array.from({ length: 10 }, () => signIn(i % 20 === 0 ? first : second)))));
  }, 180_000);
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  async function labeler(index: number): Promise<void> {
    const user = users[index];
    const bad = index < BAD_LABELERS;
    for (let step = 0; ; step++) {
      const instance = (index + step) % 2 === 0 ? first : second;
      const res = await claim(instance, user.token, fixture.datasetId);
      if (['WORKER_BLOCKED_ON_DATASET', 'DATASET_NOT_OPEN'].includes(errorCode(res) ?? '')) return;
      if (res.errors) return void unexpected.push(`claim: ${JSON.stringify(res.errors)}`);
      if (!res.assignment) return;
      const other = instance === first ? second : first;
      if (randomInt(20) === 0) {
        if ((await release(other, user.token, res.assignment.id)).data?.releaseAssignment !== true) unexpected.push('release failed');
        continue;
      }
      const done = await submit(other, user.token, res.assignment.id, answersFor(res.assignment, fixture, { goldCorrect: !bad, regular: ['cat', 'dog', 'bird'][randomInt(3)] }));
      if (!done.assignment) return void unexpected.push(`submit: ${JSON.stringify(done.errors)}`);
      submitted.set(done.assignment.id, done.assignment.status);
    }
  }

  it('finishes the dataset with every invariant intact', async () => {
    // Rounds, because a slot reopened by a rejection after everyone else stopped asking needs
    // another pass; each round is all labelers at once.
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(users.map((_, index) => labeler(index)));
      const [{ status }] = await first.dataSource.query('SELECT status FROM datasets WHERE id = $1', [fixture.datasetId]);
      if (status === 'COMPLETED') break;
    }
    expect(unexpected).toEqual([]);
    const q = (sql: string) => first.dataSource.query(sql, [fixture.datasetId]);
    expect(await invariantViolations(first.dataSource, fixture.datasetId)).toEqual({});
    // And the dataset is finished: every regular item has exactly answersPerItem accepted answers,
    // every task all its accepted assignments, the dataset is COMPLETED.
    expect(await q(`SELECT i.id FROM items i WHERE i.dataset_id = $1 AND NOT i.is_gold AND (i.answer_count <> 3 OR i.status <> 'LABELED')`)).toEqual([]);
    expect(await q(`SELECT t.id FROM tasks t WHERE t.dataset_id = $1 AND (t.accepted_count <> t.slots OR t.open_slots <> 0)`)).toEqual([]);
    expect(await q(`SELECT status FROM datasets WHERE id = $1`)).toEqual([{ status: 'COMPLETED' }]);
    // What the clients were told matches what was stored, and nothing was stored they were not told.
    const stored: { id: string; status: string }[] = await q(`SELECT id, status FROM assignments WHERE dataset_id = $1 AND status IN ('ACCEPTED', 'REJECTED')`);
    expect(new Map(stored.map((s) => [s.id, s.status]))).toEqual(submitted);
    // The gate did its job: a worker is blocked exactly when they are a bad labeler with the minimum
    // gold answers (2 here; one may not get there before the work runs out), and no bad labeler's
    // work was ever accepted.
    const bad = users.slice(0, BAD_LABELERS).map((u) => u.id);
    const gate = (sql: string) => first.dataSource.query(sql, [fixture.datasetId, bad]);
    expect(await gate(`SELECT worker_id FROM worker_stats WHERE dataset_id = $1 AND blocked <> (worker_id = ANY ($2::uuid[]) AND gold_seen >= 2)`)).toEqual([]);
    expect(await gate(`SELECT id FROM assignments WHERE dataset_id = $1 AND worker_id = ANY ($2::uuid[]) AND status = 'ACCEPTED'`)).toEqual([]);
    expect([...submitted.values()].filter((s) => s === 'REJECTED').length).toBeGreaterThan(0);
  }, 300_000);
});
