import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset, type DatasetFixture, type DatasetFixtureOptions } from '../support/fixtures';
import { errorCode } from '../support/gql';
import { holdRows } from '../support/interleave';
import { signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { answersFor, claim, publishVerdicts, submit, submitAndSettle } from '../tasks/labeler';

const MIN_GOLD_ANSWERS = 4;

describe('gold at claim and submit', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      role: 'api',
      env: { SIGN_IN_RATE_LIMIT: '100000', QUALITY_MIN_GOLD_ANSWERS: String(MIN_GOLD_ANSWERS) },
    });
  });
  afterAll(() => app.close());

  async function openDataset(options: DatasetFixtureOptions): Promise<DatasetFixture> {
    const fixture = await createOpenDataset(app.dataSource, options);
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    return fixture;
  }
  const row = async (sql: string, params: unknown[]) => (await app.dataSource.query(sql, params))[0];

  it('mixes goldPerTask unseen gold items into each assignment, never the same one twice to a worker, and never fewer', async () => {
    const fixture = await openDataset({ items: 30, itemsPerTask: 5, gold: 9, goldPerTask: 2, answersPerItem: 1 });
    const user = await signIn(app);
    const goldShown: string[] = [];
    for (;;) {
      const res = await claim(app, user.token, fixture.datasetId);
      if (!res.assignment) {
        // 9 gold items: four assignments get 2; the last one cannot fill a fifth, so none is
        // handed out (an assignment without its gold would go unchecked), and the worker is told why.
        expect(errorCode(res)).toBe('NOTHING_TO_CLAIM');
        expect(res.errors![0].extensions?.details).toEqual({ reason: 'NO_GOLD_LEFT' });
        break;
      }
      const { assignment } = res;
      const gold = assignment.items.filter((i) => fixture.goldLabels.has(i.id)).map((i) => i.id);
      expect(gold.length).toBe(2);
      expect(assignment.items.length).toBe(5 + gold.length);
      goldShown.push(...gold);
      expect((await submitAndSettle(app, user.token, assignment.id, answersFor(assignment, fixture))).verdict).toBe(
        'ACCEPTED',
      );
    }
    expect(goldShown.length).toBe(8);
    expect(new Set(goldShown).size).toBe(8);
    // Work was left: the gold ran out, not the tasks.
    expect(
      (await row('SELECT sum(open_slots)::int AS n FROM tasks WHERE dataset_id = $1', [fixture.datasetId])).n,
    ).toBe(2);
  });

  it('passes over gold another claim holds, without waiting for it', async () => {
    const fixture = await openDataset({ items: 20, itemsPerTask: 5, gold: 3, goldPerTask: 1, answersPerItem: 4 });
    const [free, ...held] = [...fixture.goldLabels.keys()];
    // Two of the three gold items locked, as claims taking them would hold them until their commit.
    const hold = await holdRows(app.config.databaseUrl!, 'SELECT id FROM items WHERE id = ANY ($1::uuid[])', [held]);
    try {
      // Each claim draws its gold in a random order: one that waited on a held item would never
      // return while the hold lasts.
      for (let i = 0; i < 4; i++) {
        const { assignment } = await claim(app, (await signIn(app)).token, fixture.datasetId);
        expect(assignment!.items.filter((item) => fixture.goldLabels.has(item.id)).map((item) => item.id)).toEqual([
          free,
        ]);
      }
    } finally {
      await hold.release();
    }
  });

  it('shuffles gold among the task items: its position says nothing', async () => {
    // Gold for 40 workers at the default exposure cap (2 × maxAnswersPerItem = 2 each).
    const fixture = await openDataset({ items: 120, itemsPerTask: 3, gold: 20, goldPerTask: 1, answersPerItem: 1 });
    const positions = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const { assignment } = await claim(app, (await signIn(app)).token, fixture.datasetId);
      positions.add(assignment!.items.findIndex((item) => fixture.goldLabels.has(item.id)));
    }
    // A fixed position would repeat 40 times out of 40; a uniform shuffle hits all four slots.
    expect(positions.size).toBeGreaterThanOrEqual(3);
  });

  it('rejects an assignment under the gold bar with its verdict, not at submit: answers kept but not counted, slot reopened, nothing paid', async () => {
    const fixture = await openDataset({
      items: 5,
      itemsPerTask: 5,
      answersPerItem: 1,
      gold: 4,
      goldPerTask: 2,
      minGoldAccuracy: 0.6,
    });
    const user = await signIn(app);
    const { assignment } = await claim(app, user.token, fixture.datasetId);
    const slot =
      'SELECT open_slots, accepted_count FROM tasks WHERE id = (SELECT task_id FROM assignments WHERE id = $1)';
    const res = await submit(app, user.token, assignment!.id, answersFor(assignment!, fixture, { goldCorrect: false }));
    expect(res.errors).toBeUndefined();
    // The submit says nothing about the gold: the same answer as for right gold.
    expect(res.assignment).toMatchObject({ status: 'SUBMITTED' });
    expect(JSON.stringify(res.assignment)).not.toMatch(/gold|correct/i);
    // Nothing is scored at submit: the verdict scores the gold answers.
    const score = 'SELECT gold_correct, gold_total FROM assignments WHERE id = $1';
    expect(await row(score, [assignment!.id])).toEqual({ gold_correct: null, gold_total: 2 });
    // Until the verdict the slot stays with the submission.
    expect(await row(slot, [assignment!.id])).toEqual({ open_slots: 0, accepted_count: 0 });
    expect((await claim(app, (await signIn(app)).token, fixture.datasetId)).assignment).toBeNull();

    expect(await publishVerdicts(app)).toBe(1);
    expect(
      await row('SELECT status, verdict_at IS NOT NULL AS decided FROM assignments WHERE id = $1', [assignment!.id]),
    ).toEqual({ status: 'REJECTED', decided: true });
    expect(await row(score, [assignment!.id])).toEqual({ gold_correct: 0, gold_total: 2 });
    expect(
      await row('SELECT count(*)::int AS n, bool_or(accepted) AS any_accepted FROM answers WHERE assignment_id = $1', [
        assignment!.id,
      ]),
    ).toEqual({ n: 7, any_accepted: false });
    expect(await row(slot, [assignment!.id])).toEqual({ open_slots: 1, accepted_count: 0 });
    expect(await row('SELECT committed, spent FROM dataset_funds WHERE id = $1', [fixture.datasetId])).toEqual({
      committed: fixture.committed.toString(),
      spent: '0',
    });
    expect((await row('SELECT count(*)::int AS n FROM ledger_entries WHERE account_id = $1', [user.id])).n).toBe(0);
    expect((await row('SELECT max(answer_count) AS m FROM items WHERE dataset_id = $1', [fixture.datasetId])).m).toBe(
      0,
    );
    expect(
      await row('SELECT gold_seen, gold_correct, pending, pending_gold FROM worker_stats WHERE worker_id = $1', [
        user.id,
      ]),
    ).toEqual({ gold_seen: 2, gold_correct: 0, pending: 0, pending_gold: 0 });
    // The reopened slot goes to someone else; the rejected worker never sees those items again.
    expect((await claim(app, user.token, fixture.datasetId)).assignment).toBeNull();
    const other = await signIn(app);
    expect(
      (await claim(app, other.token, fixture.datasetId))
        .assignment!.items.filter((i) => !fixture.goldLabels.has(i.id))
        .map((i) => i.id)
        .sort(),
    ).toEqual(
      assignment!.items
        .filter((i) => !fixture.goldLabels.has(i.id))
        .map((i) => i.id)
        .sort(),
    );
  });

  it('blocks a worker on the dataset once enough gold says they are under the bar, with a verdict, never at submit', async () => {
    const fixture = await openDataset({ items: 40, itemsPerTask: 2, gold: 20, goldPerTask: 2, minGoldAccuracy: 0.8 });
    const user = await signIn(app);
    const stats = () =>
      row(
        'SELECT gold_seen, gold_correct, pending_gold, blocked, estimated_accuracy FROM worker_stats WHERE worker_id = $1',
        [user.id],
      );
    const wrong = async () => {
      const { assignment } = await claim(app, user.token, fixture.datasetId);
      return { id: assignment!.id, answers: answersFor(assignment!, fixture, { goldCorrect: false }) };
    };
    for (let round = 0; round < MIN_GOLD_ANSWERS / 2 - 1; round++) {
      const work = await wrong();
      expect((await submitAndSettle(app, user.token, work.id, work.answers)).verdict).toBe('REJECTED');
    }
    // The submit that brings the gold answers to the minimum blocks nobody by itself: a block
    // right after one submit would tell which answer was gold.
    const last = await wrong();
    expect((await submit(app, user.token, last.id, last.answers)).assignment?.status).toBe('SUBMITTED');
    expect(await stats()).toMatchObject({ gold_seen: MIN_GOLD_ANSWERS - 2, pending_gold: 2, blocked: false });
    expect(await publishVerdicts(app)).toBe(1);
    expect((await row('SELECT status FROM assignments WHERE id = $1', [last.id])).status).toBe('REJECTED');
    // estimated_accuracy belongs to the consensus run (none ran: every assignment was rejected).
    expect(await stats()).toEqual({
      gold_seen: 4,
      gold_correct: 0,
      pending_gold: 0,
      blocked: true,
      estimated_accuracy: null,
    });
    expect(errorCode(await claim(app, user.token, fixture.datasetId))).toBe('WORKER_BLOCKED_ON_DATASET');
  });

  it('does not block a worker with a good gold record', async () => {
    const fixture = await openDataset({ items: 40, itemsPerTask: 2, gold: 20, goldPerTask: 2, minGoldAccuracy: 0.9 });
    const user = await signIn(app);
    for (let round = 0; round < 4; round++) {
      const { assignment } = await claim(app, user.token, fixture.datasetId);
      expect((await submitAndSettle(app, user.token, assignment!.id, answersFor(assignment!, fixture))).verdict).toBe(
        'ACCEPTED',
      );
    }
    expect(await row('SELECT gold_seen, blocked FROM worker_stats WHERE worker_id = $1', [user.id])).toEqual({
      gold_seen: 8,
      blocked: false,
    });
    expect((await claim(app, user.token, fixture.datasetId)).assignment).not.toBeNull();
  });

  it.each([
    ['FREE_TEXT', { kind: 'FREE_TEXT' }, 'New York', '  new   york', 'Boston'],
    ['MULTI_CHOICE', { kind: 'MULTI_CHOICE', classes: ['a', 'b', 'c'] }, ['a', 'c'], ['c', 'a'], ['a']],
    ['RATING', { kind: 'RATING', min: 1, max: 5 }, 4, 4, 5],
  ])('scores %s gold after normalisation', async (_kind, labelSchema, gold, right, wrong) => {
    const fixture = await openDataset({
      items: 10,
      itemsPerTask: 5,
      gold: 2,
      goldPerTask: 1,
      minGoldAccuracy: 1,
      labelSchema: labelSchema as DatasetFixtureOptions['labelSchema'],
      goldLabel: () => gold,
    });
    const regular = (
      labelSchema.kind === 'RATING' ? 3 : labelSchema.kind === 'MULTI_CHOICE' ? ['b'] : 'text'
    ) as unknown;
    for (const [answer, status] of [
      [right, 'ACCEPTED'],
      [wrong, 'REJECTED'],
    ] as const) {
      const user = await signIn(app);
      const { assignment } = await claim(app, user.token, fixture.datasetId);
      const answers = answersFor(assignment!, fixture, { regular, goldCorrect: false, wrongGold: answer });
      const settled = await submitAndSettle(app, user.token, assignment!.id, answers);
      expect([settled.assignment?.status, settled.verdict]).toEqual(['SUBMITTED', status]);
    }
  });
});
