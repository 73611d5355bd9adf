import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset, type DatasetFixture, type DatasetFixtureOptions } from '../support/fixtures';
import { errorCode } from '../support/gql';
import { signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { answersFor, claim, submit } from '../tasks/labeler';

const MIN_GOLD_ANSWERS = 4;

describe('gold at claim and submit', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '100000', QUALITY_MIN_GOLD_ANSWERS: String(MIN_GOLD_ANSWERS) } });
  });
  afterAll(() => app.close());

  async function openDataset(options: DatasetFixtureOptions): Promise<DatasetFixture> {
    const fixture = await createOpenDataset(app.dataSource, options);
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    return fixture;
  }
  const row = async (sql: string, params: unknown[]) => (await app.dataSource.query(sql, params))[0];

  it('mixes goldPerTask unseen gold items into each assignment, never the same one twice to a worker', async () => {
    const fixture = await openDataset({ items: 30, itemsPerTask: 5, gold: 9, goldPerTask: 2, answersPerItem: 1 });
    const user = await signIn(app);
    const goldShown: string[] = [];
    for (;;) {
      const { assignment } = await claim(app, user.token, fixture.datasetId);
      if (!assignment) break;
      const gold = assignment.items.filter((i) => fixture.goldLabels.has(i.id)).map((i) => i.id);
      // 9 gold items: four assignments get 2, the fifth gets the last one, the sixth none.
      expect(gold.length).toBe(Math.min(2, 9 - goldShown.length));
      expect(assignment.items.length).toBe(5 + gold.length);
      goldShown.push(...gold);
      expect((await submit(app, user.token, assignment.id, answersFor(assignment, fixture))).assignment?.status).toBe('ACCEPTED');
    }
    expect(goldShown.length).toBe(9);
    expect(new Set(goldShown).size).toBe(9);
  });

  it('shuffles gold among the task items: its position says nothing', async () => {
    const fixture = await openDataset({ items: 120, itemsPerTask: 3, gold: 5, goldPerTask: 1, answersPerItem: 1 });
    const positions = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const { assignment } = await claim(app, (await signIn(app)).token, fixture.datasetId);
      positions.add(assignment!.items.findIndex((item) => fixture.goldLabels.has(item.id)));
    }
    // A fixed position would repeat 40 times out of 40; a uniform shuffle hits all four slots.
    expect(positions.size).toBeGreaterThanOrEqual(3);
  });

  it('rejects an assignment under the gold bar: answers kept but not counted, slot reopened, nothing paid', async () => {
    const fixture = await openDataset({ items: 10, itemsPerTask: 5, gold: 4, goldPerTask: 2, minGoldAccuracy: 0.6 });
    const user = await signIn(app);
    const { assignment } = await claim(app, user.token, fixture.datasetId);
    const res = await submit(app, user.token, assignment!.id, answersFor(assignment!, fixture, { goldCorrect: false }));
    expect(res.errors).toBeUndefined();
    expect(res.assignment).toMatchObject({ status: 'REJECTED' });
    expect(JSON.stringify(res.assignment)).not.toMatch(/gold|correct/i);
    expect(await row('SELECT count(*)::int AS n, bool_or(accepted) AS any_accepted FROM answers WHERE assignment_id = $1', [assignment!.id])).toEqual({ n: 7, any_accepted: false });
    expect(await row('SELECT open_slots, accepted_count FROM tasks WHERE id = (SELECT task_id FROM assignments WHERE id = $1)', [assignment!.id])).toEqual({ open_slots: 3, accepted_count: 0 });
    expect(await row('SELECT committed, spent FROM dataset_funds WHERE id = $1', [fixture.datasetId])).toEqual({ committed: fixture.committed.toString(), spent: '0' });
    expect((await row('SELECT count(*)::int AS n FROM ledger_entries WHERE account_id = $1', [user.id])).n).toBe(0);
    expect((await row('SELECT max(answer_count) AS m FROM items WHERE dataset_id = $1', [fixture.datasetId])).m).toBe(0);
    expect(await row('SELECT gold_correct, gold_total FROM assignments WHERE id = $1', [assignment!.id])).toEqual({ gold_correct: 0, gold_total: 2 });
    // The reopened slot goes to someone else; the rejected worker never sees those items again.
    const other = await signIn(app);
    expect((await claim(app, other.token, fixture.datasetId)).assignment!.items.filter((i) => !fixture.goldLabels.has(i.id)).map((i) => i.id).sort())
      .toEqual(assignment!.items.filter((i) => !fixture.goldLabels.has(i.id)).map((i) => i.id).sort());
  });

  it('blocks a worker on the dataset once enough gold says they are under the bar', async () => {
    const fixture = await openDataset({ items: 40, itemsPerTask: 2, gold: 20, goldPerTask: 2, minGoldAccuracy: 0.8 });
    const user = await signIn(app);
    for (let round = 0; round < MIN_GOLD_ANSWERS / 2; round++) {
      const { assignment } = await claim(app, user.token, fixture.datasetId);
      expect((await submit(app, user.token, assignment!.id, answersFor(assignment!, fixture, { goldCorrect: false }))).assignment?.status).toBe('REJECTED');
    }
    expect(await row('SELECT gold_seen, gold_correct, blocked, estimated_accuracy FROM worker_stats WHERE worker_id = $1', [user.id])).toEqual({ gold_seen: 4, gold_correct: 0, blocked: true, estimated_accuracy: 1 / 6 });
    expect(errorCode(await claim(app, user.token, fixture.datasetId))).toBe('WORKER_BLOCKED_ON_DATASET');
  });

  it('does not block a worker with a good gold record', async () => {
    const fixture = await openDataset({ items: 40, itemsPerTask: 2, gold: 20, goldPerTask: 2, minGoldAccuracy: 0.9 });
    const user = await signIn(app);
    for (let round = 0; round < 4; round++) {
      const { assignment } = await claim(app, user.token, fixture.datasetId);
      expect((await submit(app, user.token, assignment!.id, answersFor(assignment!, fixture))).assignment?.status).toBe('ACCEPTED');
    }
    expect(await row('SELECT gold_seen, blocked FROM worker_stats WHERE worker_id = $1', [user.id])).toEqual({ gold_seen: 8, blocked: false });
    expect((await claim(app, user.token, fixture.datasetId)).assignment).not.toBeNull();
  });

  it.each([
    ['FREE_TEXT', { kind: 'FREE_TEXT' }, 'New York', '  new   york', 'Boston'],
    ['MULTI_CHOICE', { kind: 'MULTI_CHOICE', classes: ['a', 'b', 'c'] }, ['a', 'c'], ['c', 'a'], ['a']],
    ['RATING', { kind: 'RATING', min: 1, max: 5 }, 4, 4, 5],
  ])('scores %s gold after normalisation', async (_kind, labelSchema, gold, right, wrong) => {
    const fixture = await openDataset({ items: 10, itemsPerTask: 5, gold: 2, goldPerTask: 1, minGoldAccuracy: 1, labelSchema: labelSchema as DatasetFixtureOptions['labelSchema'], goldLabel: () => gold });
    const regular = (labelSchema.kind === 'RATING' ? 3 : labelSchema.kind === 'MULTI_CHOICE' ? ['b'] : 'text') as unknown;
    for (const [answer, status] of [[right, 'ACCEPTED'], [wrong, 'REJECTED']] as const) {
      const user = await signIn(app);
      const { assignment } = await claim(app, user.token, fixture.datasetId);
      const answers = answersFor(assignment!, fixture, { regular, goldCorrect: false, wrongGold: answer });
      expect((await submit(app, user.token, assignment!.id, answers)).assignment?.status).toBe(status);
    }
  });
});
