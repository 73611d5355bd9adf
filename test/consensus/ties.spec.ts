import type { ConsensusService } from '../../src/consensus/consensus.service';
import { invariantViolations } from '../tasks/invariants';
import {
  acceptAnswers,
  consensusService,
  createConsensusDataset,
  createWorkers,
  openDatabase,
  type OpenDatabase,
} from './fixtures';

// A tied item (its two likeliest classes equally likely) is never labeled by a coin toss, with
// or without a targetConfidence: below maxAnswersPerItem it gets one more answer, at it the item
// becomes DISPUTED with one LOW_AGREEMENT case. Majority vote, so two answers that disagree are
// exactly 0.5 / 0.5. Answers go through the real submit and verdict paths; the consensus run is
// called as the consensus worker calls it.
describe('ConsensusService tied items', () => {
  let db: OpenDatabase;
  let consensus: ConsensusService;
  beforeAll(async () => {
    db = await openDatabase();
    consensus = consensusService(db.dataSource);
  });
  afterAll(() => db.close());

  const statuses = async (datasetId: string): Promise<string[]> =>
    (
      await db.dataSource.query('SELECT status FROM items WHERE dataset_id = $1 AND NOT is_gold ORDER BY seq', [
        datasetId,
      ])
    ).map((r: { status: string }) => r.status);
  const datasetStatus = async (datasetId: string): Promise<string> =>
    (await db.dataSource.query('SELECT status FROM datasets WHERE id = $1', [datasetId]))[0].status;
  const cases = async (datasetId: string): Promise<{ item_id: string; kind: string; status: string }[]> =>
    db.dataSource.query('SELECT item_id, kind, status FROM disputes WHERE dataset_id = $1 ORDER BY item_id', [
      datasetId,
    ]);

  it('without a target and at fixed overlap, a 1-1 split goes to review and an agreed item is labeled', async () => {
    const d = await createConsensusDataset(db.dataSource, {
      items: 2,
      answersPerItem: 2,
      maxAnswersPerItem: 2,
      targetConfidence: null,
      aggregation: 'MAJORITY_VOTE',
    });
    const [agreed, split] = d.regularIds;
    const [a, b] = await createWorkers(db.dataSource, 2);
    await acceptAnswers(db.dataSource, {
      datasetId: d.datasetId,
      answers: [
        [agreed, a, 'cat'],
        [agreed, b, 'cat'],
        [split, a, 'cat'],
        [split, b, 'dog'],
      ],
    });
    // Every answer is in and accepted, but only consensus can tell whether an item is tied: the
    // last verdict does not complete the dataset.
    expect(await datasetStatus(d.datasetId)).toBe('OPEN');

    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({
      labeled: 1,
      lowAgreement: 1,
      unfunded: 0,
      topUpTasks: 0,
    });
    expect(await statuses(d.datasetId)).toEqual(['LABELED', 'DISPUTED']);
    expect(await cases(d.datasetId)).toEqual([{ item_id: split, kind: 'LOW_AGREEMENT', status: 'OPEN' }]);
    // Later runs open no second case; the open case keeps the dataset open.
    await consensus.aggregateDataset(d.datasetId);
    expect(await cases(d.datasetId)).toHaveLength(1);
    expect(await datasetStatus(d.datasetId)).toBe('OPEN');
    expect(await invariantViolations(db.dataSource, d.datasetId)).toEqual({});
  });

  it('completes a dataset whose items all agree once consensus has run', async () => {
    const d = await createConsensusDataset(db.dataSource, {
      items: 2,
      answersPerItem: 2,
      targetConfidence: null,
      aggregation: 'MAJORITY_VOTE',
    });
    const [a, b] = await createWorkers(db.dataSource, 2);
    await acceptAnswers(db.dataSource, {
      datasetId: d.datasetId,
      answers: d.regularIds.flatMap((id) => [[id, a, 'dog'] as const, [id, b, 'dog'] as const]),
    });
    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({ labeled: 2, lowAgreement: 0 });
    expect(await statuses(d.datasetId)).toEqual(['LABELED', 'LABELED']);
    expect(await cases(d.datasetId)).toEqual([]);
    expect(await datasetStatus(d.datasetId)).toBe('COMPLETED');
  });

  it('without a target but with room under the ceiling, a tied item gets one more answer, which breaks the tie', async () => {
    const d = await createConsensusDataset(db.dataSource, {
      items: 1,
      answersPerItem: 2,
      maxAnswersPerItem: 3,
      targetConfidence: null,
      aggregation: 'MAJORITY_VOTE',
    });
    const [item] = d.regularIds;
    const [a, b, c] = await createWorkers(db.dataSource, 3);
    await acceptAnswers(db.dataSource, {
      datasetId: d.datasetId,
      answers: [
        [item, a, 'cat'],
        [item, b, 'dog'],
      ],
    });
    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({
      labeled: 0,
      lowAgreement: 0,
      topUpTasks: 1,
      topUpItems: 1,
    });
    const [row] = await db.dataSource.query('SELECT status, answers_wanted FROM items WHERE id = $1', [item]);
    expect(row).toEqual({ status: 'IN_PROGRESS', answers_wanted: 3 });

    await acceptAnswers(db.dataSource, { datasetId: d.datasetId, answers: [[item, c, 'dog']] });
    expect(await consensus.aggregateItems(d.datasetId)).toMatchObject({ labeled: 1, topUpTasks: 0 });
    const [result] = await db.dataSource.query('SELECT label, answers FROM item_results WHERE item_id = $1', [item]);
    expect(result).toEqual({ label: 'dog', answers: 3 });
    expect(await cases(d.datasetId)).toEqual([]);
    expect(await datasetStatus(d.datasetId)).toBe('COMPLETED');
    expect(await invariantViolations(db.dataSource, d.datasetId)).toEqual({});
  });
});
