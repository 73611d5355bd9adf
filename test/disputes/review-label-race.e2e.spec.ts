import { Role } from '../../src/auth/role';
import { ConsensusWriteRepository } from '../../src/consensus/consensus-write.repository';
import type { ConsensusService } from '../../src/consensus/consensus.service';
import {
  acceptAssignment,
  consensusService,
  createConsensusDataset,
  createWorkers,
  type ConsensusFixture,
} from '../consensus/fixtures';
import { signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { holdRowLock, untilWaitingOnLocks } from './held-lock';
import { claimCase, resolve } from './reviewer';

// A reviewer's final label against the aggregation runs of its dataset. Both take the dataset's
// consensus lock, so a label is committed either before a run starts or after it committed; the
// test forces each order with a row lock the second party stops on, and checks the label survives
// full and incremental runs and the overlap top-ups they create.
describe('a reviewer label against aggregation runs and overlap top-ups on the same dataset', () => {
  let app: TestApp;
  let consensus: ConsensusService;
  let d: ConsensusFixture;
  let workers: string[];
  let reviewers: SignedInUser[];
  const [i0, i1, i2, i3] = [0, 1, 2, 3];
  const item = (i: number): string => d.tasks[i].itemIds[0];
  const result = async (i: number): Promise<{ label: unknown; method: string; version: number }> =>
    (await app.dataSource.query('SELECT label, method, version FROM item_results WHERE item_id = $1', [item(i)]))[0];
  const status = async (i: number): Promise<string> =>
    (await app.dataSource.query('SELECT status FROM items WHERE id = $1', [item(i)]))[0].status;
  const other = (label: unknown): string => (label === 'cat' ? 'dog' : 'cat');

  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '100000' } });
    consensus = consensusService(app.dataSource, app.config);
    // Dynamic overlap with majority vote: 2 answers an item, up to 3, target 0.9.
    d = await createConsensusDataset(app.dataSource, {
      items: 4,
      itemsPerTask: 1,
      answersPerItem: 2,
      maxAnswersPerItem: 3,
      targetConfidence: 0.9,
      aggregation: 'MAJORITY_VOTE',
    });
    workers = await createWorkers(app.dataSource, 3);
    // Items 0 and 1: 1 cat / 1 dog, below target with room left → a top-up each; its answer
    // (cat) brings them to the ceiling at 2 cat / 1 dog (0.67 < 0.9): LOW_AGREEMENT, in review.
    for (const i of [i0, i1]) {
      await acceptAssignment(app.dataSource, {
        datasetId: d.datasetId,
        workerId: workers[0],
        taskId: d.tasks[i].id,
        answers: [[item(i), 'cat']],
      });
      await acceptAssignment(app.dataSource, {
        datasetId: d.datasetId,
        workerId: workers[1],
        taskId: d.tasks[i].id,
        answers: [[item(i), 'dog']],
      });
    }
    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({ topUpTasks: 2 });
    for (const i of [i0, i1])
      await acceptAssignment(app.dataSource, {
        datasetId: d.datasetId,
        workerId: workers[2],
        answers: [[item(i), 'cat']],
      });
    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({ lowAgreement: 2 });
    reviewers = [await signInAs(app, [Role.REVIEWER]), await signInAs(app, [Role.REVIEWER])];
    // Items 2 and 3 get 1 cat / 1 dog: below target with room left, so the next run buys a third
    // answer for each through a top-up task.
    for (const i of [i2, i3]) {
      await acceptAssignment(app.dataSource, {
        datasetId: d.datasetId,
        workerId: workers[0],
        taskId: d.tasks[i].id,
        answers: [[item(i), 'cat']],
      });
      await acceptAssignment(app.dataSource, {
        datasetId: d.datasetId,
        workerId: workers[1],
        taskId: d.tasks[i].id,
        answers: [[item(i), 'dog']],
      });
    }
  });
  afterAll(() => app.close());

  it('a label decided while a run that creates top-ups is in progress is committed after it, and stays', async () => {
    const held = await claimCase(app, reviewers[0].token);
    const itemIndex = held.case!.dispute.itemId === item(i0) ? i0 : i1;
    const consensusLabel = (await result(itemIndex)).label;
    expect(consensusLabel).toBe('cat');
    // The run stops inside its overlap step, writing the top-up of item 2 (row locked by the test):
    // its results are computed and written, not committed, and it holds the consensus lock.
    const lock = await holdRowLock(app.dataSource, {
      sql: 'SELECT id FROM items WHERE id = $1 FOR UPDATE',
      values: [item(i2)],
    });
    const run = consensus.aggregateItems(d.datasetId);
    await untilWaitingOnLocks(app.dataSource, 1);
    let decided = false;
    const resolving = resolve(app, reviewers[0].token, held.case!.dispute.id, { label: other(consensusLabel) }).then(
      (res) => ((decided = true), res),
    );
    await untilWaitingOnLocks(app.dataSource, 2);
    // The reviewer waits for the run: nothing of the decision is visible yet.
    expect(decided).toBe(false);
    expect(await result(itemIndex)).toMatchObject({ label: 'cat', method: 'MAJORITY_VOTE' });
    await lock.release();
    const [summary, resolved] = await Promise.all([run, resolving]);
    expect(summary).toMatchObject({ mode: 'full', topUpTasks: 2 });
    expect(resolved.errors).toBeUndefined();
    expect(resolved.data.resolveDispute).toMatchObject({ status: 'RESOLVED', outcome: 'LABEL_SET' });
    expect(await result(itemIndex)).toMatchObject({ label: other(consensusLabel), method: 'REVIEW' });
    expect(await status(itemIndex)).toBe('RESOLVED');
  });

  it('a run asked for while a resolution is in progress waits for it, and leaves the label alone', async () => {
    const held = await claimCase(app, reviewers[1].token);
    const itemIndex = held.case!.dispute.itemId === item(i0) ? i0 : i1;
    const consensusLabel = (await result(itemIndex)).label;
    // The resolution stops on the case row (locked by the test) after taking the consensus lock.
    const lock = await holdRowLock(app.dataSource, {
      sql: 'SELECT id FROM disputes WHERE id = $1 FOR UPDATE',
      values: [held.case!.dispute.id],
    });
    const resolving = resolve(app, reviewers[1].token, held.case!.dispute.id, { label: other(consensusLabel) });
    await untilWaitingOnLocks(app.dataSource, 1);
    let ran = false;
    const runs = Promise.all([consensus.aggregateDataset(d.datasetId), consensus.aggregateItems(d.datasetId)]).then(
      (r) => ((ran = true), r),
    );
    await untilWaitingOnLocks(app.dataSource, 3);
    expect(ran).toBe(false);
    await lock.release();
    expect((await resolving).data.resolveDispute).toMatchObject({ outcome: 'LABEL_SET' });
    const [full] = await runs;
    expect(full.mode).toBe('full');
    expect(await result(itemIndex)).toMatchObject({ label: other(consensusLabel), method: 'REVIEW' });
  });

  it('later answers, full runs, incremental runs and top-ups never touch a reviewed item', async () => {
    const before = [await result(i0), await result(i1)];
    // Third answers on the top-ups of items 2 and 3: both end at the ceiling, one in review.
    const topUps: { id: string; item_ids: string[] }[] = await app.dataSource.query(
      'SELECT id, item_ids FROM tasks WHERE dataset_id = $1 AND item_ids && $2::uuid[] AND NOT (id = ANY ($3::uuid[])) ORDER BY seq',
      [d.datasetId, [item(i2), item(i3)], d.tasks.map((t) => t.id)],
    );
    expect(topUps.map((t) => t.item_ids).sort()).toEqual([[item(i2)], [item(i3)]].sort());
    await acceptAssignment(app.dataSource, {
      datasetId: d.datasetId,
      workerId: workers[2],
      taskId: topUps.find((t) => t.item_ids[0] === item(i2))!.id,
      answers: [[item(i2), 'cat']],
    });
    await acceptAssignment(app.dataSource, {
      datasetId: d.datasetId,
      workerId: workers[2],
      taskId: topUps.find((t) => t.item_ids[0] === item(i3))!.id,
      answers: [[item(i3), 'cat']],
    });
    await consensus.aggregateItems(d.datasetId);
    await consensus.aggregateItems(d.datasetId, { incrementalAboveAnswers: 0 });
    await consensus.aggregateDataset(d.datasetId);
    expect([await result(i0), await result(i1)]).toEqual(before);
    expect([await status(i0), await status(i1)]).toEqual(['RESOLVED', 'RESOLVED']);
    // No top-up asked for more answers on a reviewed item after its review (the one each got
    // before, which brought it to the ceiling, is filled).
    const touching: { open_slots: number; answers: number }[] = await app.dataSource.query(
      'SELECT t.open_slots, (SELECT count(*)::int FROM items i WHERE i.id = ANY (t.item_ids) AND i.answer_count > 3) AS answers FROM tasks t WHERE t.dataset_id = $1 AND (t.item_ids && $2::uuid[]) AND NOT (t.id = ANY ($3::uuid[]))',
      [d.datasetId, [item(i0), item(i1)], d.tasks.map((t) => t.id)],
    );
    expect(touching).toEqual([
      { open_slots: 0, answers: 0 },
      { open_slots: 0, answers: 0 },
    ]);
    expect(
      (
        await app.dataSource.query('SELECT max(answers_wanted) AS m FROM items WHERE id = ANY ($1::uuid[])', [
          [item(i0), item(i1)],
        ])
      )[0].m,
    ).toBe(3);
    // And the write itself refuses: a stale run writing a label for a reviewed item changes nothing.
    const stale = await new ConsensusWriteRepository().upsertResults(app.dataSource.manager, {
      datasetId: d.datasetId,
      method: 'DAWID_SKENE',
      rows: { itemIds: [item(i0)], labels: [JSON.stringify(other(before[0].label))], confidence: [0.99], answers: [3] },
    });
    expect(stale).toBe(0);
    expect(await result(i0)).toEqual(before[0]);
  });
});
