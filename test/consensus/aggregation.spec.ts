import type { ConsensusService } from '../../src/consensus/consensus.service';
import { LabelKind, type LabelSchema } from '../../src/datasets/dataset-status';
import {
  acceptAnswers,
  consensusService,
  createConsensusDataset,
  createWorkers,
  openDatabase,
  resultsOf,
  seededRandom,
  type OpenDatabase,
} from './fixtures';

// The service the consensus processor calls, on its own database with nothing else running, so
// no background job can race a test. The queue path is covered in consensus.queue.spec.ts.
describe('ConsensusService', () => {
  let app: OpenDatabase;
  let consensus: ConsensusService;
  beforeAll(async () => {
    app = await openDatabase();
    consensus = consensusService(app.dataSource);
  });
  afterAll(() => app.close());

  const count = async (sql: string, params: unknown[]): Promise<number> =>
    (await app.dataSource.query(sql, params))[0].n;

  describe('aggregateDataset', () => {
    it('upserts one result per item: a re-run never duplicates rows and only bumps the version of a changed result', async () => {
      // Dynamic overlap up to 4 answers is what lets an item get a fourth one: consensus asks for it
      // through a one-slot top-up task when the item is under the target confidence.
      const d = await createConsensusDataset(app.dataSource, {
        items: 6,
        aggregation: 'MAJORITY_VOTE',
        maxAnswersPerItem: 4,
        targetConfidence: 0.9,
      });
      const [w1, w2, w3, w4] = await createWorkers(app.dataSource, 4);
      await acceptAnswers(app.dataSource, {
        datasetId: d.datasetId,
        answers: d.regularIds.flatMap(
          (id) =>
            [
              [id, w1, 'cat'],
              [id, w2, 'cat'],
              [id, w3, 'dog'],
            ] as [string, string, string][],
        ),
      });

      const first = await consensus.aggregateDataset(d.datasetId);
      await consensus.aggregateDataset(d.datasetId);
      expect(first).toMatchObject({ mode: 'full', answers: 18, resultsChanged: 6 });
      expect(await count('SELECT count(*)::int AS n FROM item_results WHERE dataset_id = $1', [d.datasetId])).toBe(6);
      const once = await resultsOf(app.dataSource, d.datasetId);
      expect([...once.values()].map((r) => [r.label, r.answers, r.method, r.version])).toEqual(
        Array(6).fill(['cat', 3, 'MAJORITY_VOTE', 1]),
      );
      // Majority vote's calibrated confidence for 2 of 3: 2^sqrt(3) / (2^sqrt(3) + 1) (defaults.ts).
      expect(once.get(d.regularIds[0])!.confidence).toBeCloseTo(2 ** Math.sqrt(3) / (2 ** Math.sqrt(3) + 1), 11);

      // A fourth answer on item 0, through its top-up task, changes that result and no other.
      expect(first).toMatchObject({ topUpTasks: 6 });
      await acceptAnswers(app.dataSource, { datasetId: d.datasetId, answers: [[d.regularIds[0], w4, 'dog']] });
      const rerun = await consensus.aggregateDataset(d.datasetId);
      expect(rerun.resultsChanged).toBe(1);
      const twice = await resultsOf(app.dataSource, d.datasetId);
      expect(twice.size).toBe(6);
      expect(twice.get(d.regularIds[0])).toMatchObject({ label: 'cat', answers: 4, version: 2, confidence: 0.5 });
      expect(twice.get(d.regularIds[1])!.version).toBe(1);
    });

    it('never overwrites the result of an item a reviewer RESOLVED', async () => {
      const d = await createConsensusDataset(app.dataSource, {
        items: 2,
        aggregation: 'MAJORITY_VOTE',
        answersPerItem: 1,
      });
      const [w1] = await createWorkers(app.dataSource, 1);
      await acceptAnswers(app.dataSource, {
        datasetId: d.datasetId,
        answers: d.regularIds.map((id) => [id, w1, 'cat'] as const),
      });
      await consensus.aggregateDataset(d.datasetId);
      await app.dataSource.query(`UPDATE items SET status = 'RESOLVED' WHERE id = $1`, [d.regularIds[0]]);
      await app.dataSource.query(
        `UPDATE item_results SET label = '"bird"', confidence = 1, method = 'REVIEW' WHERE item_id = $1`,
        [d.regularIds[0]],
      );
      await consensus.aggregateDataset(d.datasetId);
      expect((await resultsOf(app.dataSource, d.datasetId)).get(d.regularIds[0])).toMatchObject({
        label: 'bird',
        method: 'REVIEW',
        version: 1,
      });
    });

    it('clamps gold items to their gold label even when the crowd disagrees', async () => {
      // One task of the 4 items; each assignment carries both gold items.
      const d = await createConsensusDataset(app.dataSource, {
        items: 4,
        gold: 2,
        goldPerTask: 2,
        itemsPerTask: 4,
        goldLabel: () => 'bird',
      });
      const workers = await createWorkers(app.dataSource, 3);
      const answers: [string, string, string][] = [];
      for (const w of workers) {
        for (const id of d.regularIds) answers.push([id, w, 'cat']);
        for (const id of d.goldIds) answers.push([id, w, 'dog']);
      }
      await acceptAnswers(app.dataSource, { datasetId: d.datasetId, answers });
      const estimates = async (): Promise<number[]> =>
        (
          await app.dataSource.query(
            'SELECT estimated_accuracy FROM worker_stats WHERE dataset_id = $1 ORDER BY worker_id',
            [d.datasetId],
          )
        ).map((r: { estimated_accuracy: number }) => r.estimated_accuracy);
      // The verdicts record gold counts only; the estimate is the consensus run's to write (#15).
      expect(await estimates()).toEqual([null, null, null]);
      await consensus.aggregateDataset(d.datasetId);
      const results = await resultsOf(app.dataSource, d.datasetId);
      for (const id of d.goldIds)
        expect(results.get(id)).toMatchObject({ label: 'bird', confidence: 1, answers: 3, method: 'DAWID_SKENE' });
      // Every worker contradicted gold on every gold item: DS, which also sees them agree on every
      // regular item, writes its own estimate, still below chance-free certainty.
      const stats = await estimates();
      expect(stats).toHaveLength(3);
      for (const s of stats) expect(s).toEqual(expect.any(Number));
      for (const s of stats) expect(s).toBeLessThan(0.9);
    });

    it('beats majority vote on a synthetic crowd with spammers stored in the database', async () => {
      // 4 good workers (85% right), 3 who always answer "cat", 3 who answer at random; 5 of the
      // 10 take each task of 5 items and answer all of them. The same answers go into a
      // DAWID_SKENE and a MAJORITY_VOTE dataset.
      const classes = ['cat', 'dog', 'bird'];
      const rnd = seededRandom(1);
      const terms = { items: 200, answersPerItem: 5, itemsPerTask: 5 };
      const ds = await createConsensusDataset(app.dataSource, { ...terms, aggregation: 'DAWID_SKENE' });
      const mv = await createConsensusDataset(app.dataSource, { ...terms, aggregation: 'MAJORITY_VOTE' });
      const workers = await createWorkers(app.dataSource, 10);
      const kinds = ['good', 'good', 'good', 'good', 'constant', 'constant', 'constant', 'random', 'random', 'random'];
      const truth = ds.regularIds.map(() => classes[Math.floor(rnd() * 3)]);
      const dsAnswers: [string, string, string][] = [];
      const mvAnswers: [string, string, string][] = [];
      let chosen: number[] = [];
      truth.forEach((label, i) => {
        if (i % terms.itemsPerTask === 0) chosen = [...kinds.keys()].sort(() => rnd() - 0.5).slice(0, 5);
        for (const w of chosen) {
          const wrong = classes.filter((c) => c !== label);
          const value =
            kinds[w] === 'good'
              ? rnd() < 0.85
                ? label
                : wrong[Math.floor(rnd() * 2)]
              : kinds[w] === 'constant'
                ? 'cat'
                : classes[Math.floor(rnd() * 3)];
          dsAnswers.push([ds.regularIds[i], workers[w], value]);
          mvAnswers.push([mv.regularIds[i], workers[w], value]);
        }
      });
      await acceptAnswers(app.dataSource, { datasetId: ds.datasetId, answers: dsAnswers });
      await acceptAnswers(app.dataSource, { datasetId: mv.datasetId, answers: mvAnswers });
      await consensus.aggregateDataset(ds.datasetId);
      await consensus.aggregateDataset(mv.datasetId);

      const accuracy = async (fixture: { regularIds: string[]; datasetId: string }): Promise<number> => {
        const results = await resultsOf(app.dataSource, fixture.datasetId);
        return fixture.regularIds.filter((id, i) => results.get(id)!.label === truth[i]).length / truth.length;
      };
      const dsAccuracy = await accuracy(ds);
      const mvAccuracy = await accuracy(mv);
      expect(dsAccuracy).toBeGreaterThanOrEqual(mvAccuracy + 0.1);
      expect(dsAccuracy).toBeGreaterThan(0.8);

      // The estimates written to worker_stats rank every good worker above every spammer.
      const rows: { worker_id: string; estimated_accuracy: number }[] = await app.dataSource.query(
        'SELECT worker_id, estimated_accuracy FROM worker_stats WHERE dataset_id = $1',
        [ds.datasetId],
      );
      const estimate = new Map(rows.map((r) => [r.worker_id, r.estimated_accuracy]));
      const good = workers.slice(0, 4).map((w) => estimate.get(w)!);
      const spammers = workers.slice(4).map((w) => estimate.get(w)!);
      expect(Math.min(...good)).toBeGreaterThan(Math.max(...spammers));
    });

    it.each<[string, LabelSchema, unknown[], unknown, string]>([
      [
        'MULTI_CHOICE',
        { kind: LabelKind.MULTI_CHOICE, classes: ['red', 'green', 'blue'] },
        [['red', 'green'], ['green'], ['green', 'blue']],
        ['green'],
        'MAJORITY_VOTE',
      ],
      ['RATING', { kind: LabelKind.RATING, min: 1, max: 5 }, [4, 5, 1], 4, 'MEDIAN'],
      ['FREE_TEXT', { kind: LabelKind.FREE_TEXT }, ['New York', ' new  york', 'Boston'], 'new york', 'MAJORITY_VOTE'],
    ])('aggregates %s answers into a JSON label', async (_kind, labelSchema, values, label, method) => {
      const d = await createConsensusDataset(app.dataSource, { items: 1, labelSchema, aggregation: 'MAJORITY_VOTE' });
      const workers = await createWorkers(app.dataSource, 3);
      await acceptAnswers(app.dataSource, {
        datasetId: d.datasetId,
        answers: workers.map((w, k) => [d.regularIds[0], w, values[k]] as [string, string, unknown]),
      });
      expect(await consensus.aggregateDataset(d.datasetId)).toMatchObject({ answers: 3, rejectedAnswers: 0 });
      expect((await resultsOf(app.dataSource, d.datasetId)).get(d.regularIds[0])).toMatchObject({
        label,
        answers: 3,
        method,
      });
    });

    it('stores agreement statistics for Dataset.agreement', async () => {
      const d = await createConsensusDataset(app.dataSource, { items: 4, aggregation: 'MAJORITY_VOTE' });
      const [w1, w2] = await createWorkers(app.dataSource, 2);
      const labels = ['cat', 'dog', 'cat', 'bird'];
      await acceptAnswers(app.dataSource, {
        datasetId: d.datasetId,
        answers: d.regularIds.flatMap(
          (id, i) =>
            [
              [id, w1, labels[i]],
              [id, w2, labels[i]],
            ] as [string, string, string][],
        ),
      });
      await consensus.aggregateDataset(d.datasetId);
      const [row] = await app.dataSource.query(
        'SELECT fleiss_kappa, krippendorff_alpha, mean_confidence, method, full_run_answers FROM dataset_consensus WHERE dataset_id = $1',
        [d.datasetId],
      );
      expect(row).toMatchObject({ method: 'MAJORITY_VOTE', full_run_answers: 8, mean_confidence: 1 });
      expect(row.fleiss_kappa).toBeCloseTo(1, 12);
      expect(row.krippendorff_alpha).toBeCloseTo(1, 12);
    });
  });

  describe('aggregateItems', () => {
    it('settles the items whose answers are in and leaves the rest; a repeated job finds nothing to do', async () => {
      const d = await createConsensusDataset(app.dataSource, {
        items: 4,
        aggregation: 'MAJORITY_VOTE',
        answersPerItem: 2,
      });
      const [w1, w2] = await createWorkers(app.dataSource, 2);
      await acceptAnswers(app.dataSource, {
        datasetId: d.datasetId,
        answers: [
          [d.regularIds[0], w1, 'dog'],
          [d.regularIds[0], w2, 'dog'],
          [d.regularIds[1], w1, 'cat'],
        ],
      });
      const first = await consensus.aggregateItems(d.datasetId);
      expect(first).toMatchObject({ mode: 'full', labeled: 1 });
      const statuses: { id: string; status: string }[] = await app.dataSource.query(
        'SELECT id, status FROM items WHERE dataset_id = $1 ORDER BY seq',
        [d.datasetId],
      );
      expect(statuses.map((s) => s.status)).toEqual(['LABELED', 'IN_PROGRESS', 'PENDING', 'PENDING']);
      expect((await consensus.aggregateItems(d.datasetId)).mode).toBe('skipped');
    });

    it('on a large dataset aggregates only the ready items by weighted vote and requests one debounced full run', async () => {
      const d = await createConsensusDataset(app.dataSource, { items: 3, answersPerItem: 2 });
      const [w1, w2] = await createWorkers(app.dataSource, 2);
      await acceptAnswers(app.dataSource, {
        datasetId: d.datasetId,
        answers: [
          [d.regularIds[0], w1, 'dog'],
          [d.regularIds[0], w2, 'dog'],
          [d.regularIds[1], w1, 'cat'],
        ],
      });
      const summary = await consensus.aggregateItems(d.datasetId, { incrementalAboveAnswers: 0 });
      expect(summary).toMatchObject({ mode: 'incremental', answers: 2, labeled: 1, fullRunRequested: true });
      const results = await resultsOf(app.dataSource, d.datasetId);
      expect([...results.keys()]).toEqual([d.regularIds[0]]);
      expect(results.get(d.regularIds[0])).toMatchObject({ label: 'dog', method: 'WEIGHTED_MAJORITY_VOTE' });

      await acceptAnswers(app.dataSource, { datasetId: d.datasetId, answers: [[d.regularIds[1], w2, 'cat']] });
      expect(await consensus.aggregateItems(d.datasetId, { incrementalAboveAnswers: 0 })).toMatchObject({
        mode: 'incremental',
        labeled: 1,
        fullRunRequested: false,
      });
      const jobs: { job_id: string }[] = await app.dataSource.query(
        `SELECT job_id FROM outbox WHERE job_name = 'consensus.aggregate-dataset' AND payload->>'datasetId' = $1`,
        [d.datasetId],
      );
      expect(jobs).toHaveLength(1);

      // The full run replaces the interim results with the dataset's own method and clears the request.
      await consensus.aggregateDataset(d.datasetId);
      expect((await resultsOf(app.dataSource, d.datasetId)).get(d.regularIds[0])!.method).toBe('DAWID_SKENE');
      const [state] = await app.dataSource.query(
        'SELECT full_run_requested_answers FROM dataset_consensus WHERE dataset_id = $1',
        [d.datasetId],
      );
      expect(state.full_run_requested_answers).toBeNull();
    });

    it('is safe on two workers at once: results and statuses are written once', async () => {
      const d = await createConsensusDataset(app.dataSource, {
        items: 30,
        aggregation: 'MAJORITY_VOTE',
        answersPerItem: 2,
      });
      const [w1, w2] = await createWorkers(app.dataSource, 2);
      await acceptAnswers(app.dataSource, {
        datasetId: d.datasetId,
        answers: d.regularIds.flatMap(
          (id) =>
            [
              [id, w1, 'cat'],
              [id, w2, 'cat'],
            ] as [string, string, string][],
        ),
      });
      const runs = await Promise.all([
        consensus.aggregateItems(d.datasetId),
        consensus.aggregateItems(d.datasetId),
        consensus.aggregateDataset(d.datasetId),
      ]);
      expect(runs.reduce((n, r) => n + r.resultsChanged, 0)).toBe(30);
      expect(
        await count('SELECT count(*)::int AS n FROM item_results WHERE dataset_id = $1 AND version = 1', [d.datasetId]),
      ).toBe(30);
    });
  });
});
