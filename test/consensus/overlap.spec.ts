import type { ConsensusService } from '../../src/consensus/consensus.service';
import { Role } from '../../src/auth/role';
import {
  acceptAssignment,
  consensusService,
  createConsensusDataset,
  datasetLifecycle,
  createWorkers,
  openDatabase,
  type ConsensusFixture,
  type OpenDatabase,
} from './fixtures';

// Dynamic overlap: answersPerItem 3, ceiling 5, target confidence 0.96, majority vote, whose
// confidence for a vote share s of n answers is the calibrated s^sqrt(n) / (s^sqrt(n) + (1-s)^sqrt(n))
// (T = n^-0.5, defaults.ts), easy to check by hand: 2 of 3 -> 0.769, 3 of 4 -> 0.900, 2 of 4 -> 0.5,
// 4 of 5 -> 0.957, 3 of 5 -> 0.713, unanimous -> 1.
describe('ConsensusService dynamic overlap', () => {
  let db: OpenDatabase;
  let consensus: ConsensusService;
  beforeAll(async () => {
    db = await openDatabase();
    consensus = consensusService(db.dataSource);
  });
  afterAll(() => db.close());

  const terms = {
    answersPerItem: 3,
    maxAnswersPerItem: 5,
    targetConfidence: 0.96,
    aggregation: 'MAJORITY_VOTE' as const,
    itemsPerTask: 2,
  };

  type ItemRow = { id: string; status: string; answers_wanted: number; answer_count: number };
  const items = async (datasetId: string): Promise<ItemRow[]> =>
    db.dataSource.query(
      'SELECT id, status, answers_wanted, answer_count FROM items WHERE dataset_id = $1 AND NOT is_gold ORDER BY seq',
      [datasetId],
    );
  const topUps = async (
    d: ConsensusFixture,
  ): Promise<{ id: string; item_ids: string[]; slots: number; open_slots: number }[]> =>
    db.dataSource.query(
      'SELECT id, item_ids, slots, open_slots FROM tasks WHERE dataset_id = $1 AND NOT (id = ANY($2::uuid[])) ORDER BY seq',
      [d.datasetId, d.tasks.map((t) => t.id)],
    );
  /** What is still committed (dataset_funds: the row less the spend stripes), in rewards. */
  const committedRewards = async (datasetId: string): Promise<number> =>
    Number(
      (
        await db.dataSource.query(
          'SELECT (f.committed / d.reward_per_answer)::float8 AS n FROM dataset_funds f JOIN datasets d USING (id) WHERE id = $1',
          [datasetId],
        )
      )[0].n,
    );
  // The product never leaves an open dataset short of a top-up: publishing reserves the worst case
  // of every top-up, gold included (datasets/budget.ts), and only accepted answers draw on the
  // commitment while the dataset is open. The guard against a shortfall is reached only by taking
  // part of the commitment away by hand: the row's committed is lowered so that dataset_funds
  // (row − spend stripes) shows `rewards` rewards; budget stays, so the sum stays under it.
  const takeCommitmentDownTo = (datasetId: string, rewards: number): Promise<unknown> =>
    db.dataSource.query(
      'UPDATE datasets d SET committed = d.committed - (f.committed - d.reward_per_answer * $2) FROM dataset_funds f WHERE f.id = d.id AND d.id = $1',
      [datasetId, rewards],
    );

  /** Each worker answers the given task: values[k] is worker k's label for every item of it, or a
   * function of the item's position. */
  async function answerTask(
    d: { datasetId: string },
    task: { id: string; itemIds: string[] },
    workers: string[],
    values: (string | ((i: number) => string))[],
  ): Promise<void> {
    for (const [k, workerId] of workers.entries()) {
      const v = values[k];
      await acceptAssignment(db.dataSource, {
        datasetId: d.datasetId,
        workerId,
        taskId: task.id,
        answers: task.itemIds.map((id, i) => [id, typeof v === 'string' ? v : v(i)]),
      });
    }
  }

  it('buys one more answer at a time through one-slot top-up tasks, never past the ceiling, then marks LOW_AGREEMENT', async () => {
    const d = await createConsensusDataset(db.dataSource, { ...terms, items: 4 });
    const workers = await createWorkers(db.dataSource, 5);
    // Task 0 (items 0, 1): 2 cat / 1 dog, confidence 0.769. Task 1 (items 2, 3): unanimous.
    await answerTask(d, d.tasks[0], workers.slice(0, 3), ['cat', 'cat', 'dog']);
    await answerTask(d, d.tasks[1], workers.slice(0, 3), ['cat', 'cat', 'cat']);

    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({
      labeled: 2,
      topUpTasks: 1,
      topUpItems: 2,
      lowAgreement: 0,
      unfunded: 0,
    });
    let rows = await items(d.datasetId);
    expect(rows.map((r) => [r.status, r.answers_wanted])).toEqual([
      ['IN_PROGRESS', 4],
      ['IN_PROGRESS', 4],
      ['LABELED', 3],
      ['LABELED', 3],
    ]);
    let extra = await topUps(d);
    expect(extra).toEqual([{ id: expect.any(String), item_ids: d.tasks[0].itemIds, slots: 1, open_slots: 1 }]);
    // Re-running before the new answer arrives creates nothing more.
    expect((await consensus.aggregateItems(d.datasetId)).mode).toBe('skipped');

    // Answer 4: item 0 cat (3/4: 0.900), item 1 dog (2/4: 0.5): both still under target -> answer 5.
    await answerTask(
      d,
      { id: extra[0].id, itemIds: extra[0].item_ids },
      [workers[3]],
      [(i) => (i === 0 ? 'cat' : 'dog')],
    );
    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({ topUpTasks: 1, topUpItems: 2 });
    rows = await items(d.datasetId);
    expect(rows.slice(0, 2).map((r) => r.answers_wanted)).toEqual([5, 5]);
    extra = await topUps(d);
    expect(extra).toHaveLength(2);

    // Answer 5: item 0 at 4/5 (0.957), item 1 at 3/5: under target at the ceiling -> review.
    await answerTask(d, { id: extra[1].id, itemIds: extra[1].item_ids }, [workers[4]], ['cat']);
    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({ lowAgreement: 2, topUpTasks: 0 });
    rows = await items(d.datasetId);
    expect(rows.map((r) => r.status)).toEqual(['DISPUTED', 'DISPUTED', 'LABELED', 'LABELED']);
    // Items in review keep the dataset open.
    expect((await db.dataSource.query('SELECT status FROM datasets WHERE id = $1', [d.datasetId]))[0].status).toBe(
      'OPEN',
    );

    // Invariant 2: the slots that can ever be filled for an item never exceed the ceiling.
    const capacity: { id: string; slots: number }[] = await db.dataSource.query(
      'SELECT i.id, sum(t.slots)::int AS slots FROM items i JOIN tasks t ON i.id = ANY(t.item_ids) WHERE i.dataset_id = $1 GROUP BY i.id',
      [d.datasetId],
    );
    for (const c of capacity) expect(c.slots).toBeLessThanOrEqual(terms.maxAnswersPerItem);
    for (const r of rows) expect(r.answer_count).toBeLessThanOrEqual(terms.maxAnswersPerItem);
  });

  it('confirms an item that reaches the target after a top-up', async () => {
    // Target 0.85: 2 of 3 (0.769) is under it, 3 of 4 (0.900) over it.
    const d = await createConsensusDataset(db.dataSource, { ...terms, items: 1, targetConfidence: 0.85 });
    const workers = await createWorkers(db.dataSource, 4);
    await answerTask(d, d.tasks[0], workers.slice(0, 3), ['cat', 'cat', 'dog']);
    await consensus.aggregateItems(d.datasetId);
    const [extra] = await topUps(d);
    await answerTask(d, { id: extra.id, itemIds: extra.item_ids }, [workers[3]], ['cat']);
    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({ labeled: 1, topUpTasks: 0 });
    expect((await items(d.datasetId))[0]).toMatchObject({ status: 'LABELED', answers_wanted: 4, answer_count: 4 });
    // Its last item settled, the dataset completes (only consensus can tell, with dynamic overlap).
    const [dataset] = await db.dataSource.query('SELECT status FROM datasets WHERE id = $1', [d.datasetId]);
    expect(dataset.status).toBe('COMPLETED');
  });

  it.each([
    ['funds the last top-up, whose items and gold use up exactly what publishing committed', 3, 1],
    ['refuses a top-up whose gold answer would not fit, and marks the items and the dataset', 2, 0],
  ])('%s', async (_name, leftRewards, expectedTasks) => {
    // 2 items a task + 1 gold an assignment: every assignment costs 3 rewards. Publishing
    // committed 5 answers x (2 items + 1 gold) = 15; the 3 first answers spend 9, the first
    // top-up 3, which leaves exactly the 3 the second top-up costs.
    const d = await createConsensusDataset(db.dataSource, { ...terms, items: 2, gold: 1, goldPerTask: 1 });
    const workers = await createWorkers(db.dataSource, 4);
    await answerTask(d, d.tasks[0], workers.slice(0, 3), ['cat', 'cat', 'dog']);
    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({ topUpTasks: 1, topUpItems: 2 });
    const [first] = await topUps(d);
    // Answer 4: 3/4 cat on both items, still under 0.9.
    await answerTask(d, { id: first.id, itemIds: first.item_ids }, [workers[3]], ['cat']);
    expect(await committedRewards(d.datasetId)).toBe(3);
    if (leftRewards < 3) await takeCommitmentDownTo(d.datasetId, leftRewards);
    const summary = await consensus.aggregateItems(d.datasetId);
    expect(summary.topUpTasks).toBe(expectedTasks);
    expect(await topUps(d)).toHaveLength(1 + expectedTasks);
    const [state] = await db.dataSource.query(
      'SELECT overlap_budget_exhausted FROM dataset_consensus WHERE dataset_id = $1',
      [d.datasetId],
    );
    expect(state.overlap_budget_exhausted).toBe(expectedTasks === 0);
    expect((await items(d.datasetId)).map((r) => r.status)).toEqual(
      expectedTasks ? ['IN_PROGRESS', 'IN_PROGRESS'] : ['DISPUTED', 'DISPUTED'],
    );
  });

  it('keeps the money still needed by unfinished tasks out of the top-up headroom', async () => {
    // Publishing committed 5 answers x 4 items = 20 rewards; task 0's 3 assignments spent 6.
    // Task 1 (items 2, 3) has not started: its 3 slots x 2 items need 6 of what is left, so with
    // 7 left the 2-reward top-up of task 0's items cannot be funded, and with 8 it can.
    for (const [left, expected] of [
      [7, { topUpTasks: 0, unfunded: 2 }],
      [8, { topUpTasks: 1, unfunded: 0 }],
    ] as const) {
      const d = await createConsensusDataset(db.dataSource, { ...terms, items: 4 });
      await answerTask(d, d.tasks[0], await createWorkers(db.dataSource, 3), ['cat', 'cat', 'dog']);
      expect(await committedRewards(d.datasetId)).toBe(14);
      await takeCommitmentDownTo(d.datasetId, left);
      expect(await consensus.aggregateItems(d.datasetId)).toMatchObject(expected);
    }
  });

  it('marks LOW_AGREEMENT at once when the ceiling is the minimum', async () => {
    const d = await createConsensusDataset(db.dataSource, { ...terms, items: 2, maxAnswersPerItem: 3 });
    await answerTask(d, d.tasks[0], await createWorkers(db.dataSource, 3), ['cat', 'cat', 'dog']);
    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({ lowAgreement: 2, topUpTasks: 0 });
    expect((await items(d.datasetId)).map((r) => r.status)).toEqual(['DISPUTED', 'DISPUTED']);
  });

  it.each([
    ['COMPLETED', 'sends unsure items to review (its commitment is released)', 'DISPUTED'],
    ['CANCELLED', 'leaves unsure items alone', 'LABELED'],
  ])('on a %s dataset %s', async (status, _what, expected) => {
    const d = await createConsensusDataset(db.dataSource, { ...terms, items: 2 });
    await answerTask(d, d.tasks[0], await createWorkers(db.dataSource, 3), ['cat', 'cat', 'dog']);
    // Both items are LABELED by their verdicts (their answers are in); consensus has not seen them.
    const lifecycle = datasetLifecycle(db.dataSource);
    if (status === 'COMPLETED') {
      // The completion check counts them as done: this is what a consensus run that settled some
      // other item does after it commits, when this task's last verdict committed during the run.
      expect(await lifecycle.markCompletedIfDone(d.datasetId)).toBe(true);
    } else {
      await lifecycle.cancel({ id: d.ownerId, address: '0x', roles: [Role.REQUESTER], via: 'jwt' }, d.datasetId);
    }
    // Either way the commitment is released: nothing more can be bought.
    expect(await committedRewards(d.datasetId)).toBe(0);
    expect((await consensus.aggregateItems(d.datasetId)).topUpTasks).toBe(0);
    expect((await items(d.datasetId)).map((r) => r.status)).toEqual([expected, expected]);
    expect(await topUps(d)).toHaveLength(0);
  });

  it('creates each top-up once when two workers run the job at the same time', async () => {
    const d = await createConsensusDataset(db.dataSource, { ...terms, items: 2 });
    await answerTask(d, d.tasks[0], await createWorkers(db.dataSource, 3), ['cat', 'cat', 'dog']);
    await Promise.all([
      consensus.aggregateItems(d.datasetId),
      consensus.aggregateItems(d.datasetId),
      consensus.aggregateDataset(d.datasetId),
    ]);
    expect(await topUps(d)).toHaveLength(1);
    expect((await items(d.datasetId)).map((r) => r.answers_wanted)).toEqual([4, 4]);
  });
});
