import { Role } from '../../src/auth/role';
import {
  acceptAnswers,
  consensusService,
  createConsensusDataset,
  createWorkers,
  decideVerdicts,
  submitAssignment,
  type ConsensusFixture,
} from '../consensus/fixtures';
import { errorCode, gql } from '../support/gql';
import { listCounts } from '../support/list-counts';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { MV_TWO_OF_THREE } from '../support/tiny-crowds';

const RESULTS = `query($id: ID!, $first: Int, $after: String) {
  datasetResults(datasetId: $id, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { itemId externalId label confidence answers status method } }
  } }`;
const QUALITY = `query($id: ID!, $first: Int, $after: String) {
  workerQuality(datasetId: $id, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { workerId answers goldAnswers goldAccuracy estimatedAccuracy blocked blockReason submittedAssignments pendingAssignments } }
  } }`;

// api role: no processors run in the background; aggregation is called directly.
describe('results (GraphQL)', () => {
  let app: TestApp;
  let owner: SignedInUser, otherRequester: SignedInUser, labeler: SignedInUser, admin: SignedInUser;
  let d: ConsensusFixture;
  let workers: string[];

  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '1000' } });
    [owner, otherRequester, admin, labeler] = await Promise.all([
      signInAs(app, [Role.REQUESTER]),
      signInAs(app, [Role.REQUESTER]),
      signInAs(app, [Role.ADMIN]),
      signIn(app),
    ]);
    // One item and one gold item an assignment; workers must get every gold item right (a bar of 1,
    // where one miss is proof enough to block: under a bar like 0.9, 4 of 5 is not 95% evidence).
    d = await createConsensusDataset(app.dataSource, {
      items: 5,
      gold: 6,
      goldPerTask: 1,
      minGoldAccuracy: 1,
      aggregation: 'MAJORITY_VOTE',
      goldLabel: () => 'bird',
    });
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [d.datasetId, owner.id]);
    workers = await createWorkers(app.dataSource, 4);
    // Items r1..r4 answered by 3 workers (r1 split 2:1), each assignment with its gold answered right.
    const answers: [string, string, string][] = [];
    d.regularIds
      .slice(0, 4)
      .forEach((id, i) =>
        workers.slice(0, 3).forEach((w, k) => answers.push([id, w, i === 0 && k === 2 ? 'dog' : 'cat'])),
      );
    await acceptAnswers(app.dataSource, { datasetId: d.datasetId, answers });
    // Worker 0 then gets its fifth gold item wrong: 4 of 5 is under the bar, so that submission
    // (r5) is rejected and the worker is blocked on the dataset.
    await submitAssignment(app.dataSource, {
      datasetId: d.datasetId,
      workerId: workers[0],
      answers: [[d.regularIds[4], 'cat']],
      goldAnswer: 'cat',
    });
    expect(await decideVerdicts(app.dataSource, { datasetId: d.datasetId, workerId: workers[0] })).toEqual({
      verdict: 'REJECTED',
      assignments: 1,
    });
    // Worker 3 has submitted r5 and waits for the verdict. r5 has no accepted answer.
    await submitAssignment(app.dataSource, {
      datasetId: d.datasetId,
      workerId: workers[3],
      answers: [[d.regularIds[4], 'cat']],
    });
    await consensusService(app.dataSource).aggregateDataset(d.datasetId);
  });
  afterAll(() => app.close());

  it('pages through every regular item in upload order, never a gold item', async () => {
    const nodes: Record<string, unknown>[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res = await gql(app, {
        query: RESULTS,
        variables: { id: d.datasetId, first: 2, after },
        token: owner.token,
      });
      expect(res.errors).toBeUndefined();
      const page = res.data.datasetResults;
      expect(page.totalCount).toBe(5);
      nodes.push(...page.edges.map((e: { node: Record<string, unknown> }) => e.node));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(nodes.map((n) => n.externalId)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(nodes[0]).toMatchObject({
      itemId: d.regularIds[0],
      label: 'cat',
      answers: 3,
      status: 'LABELED',
      method: 'MAJORITY_VOTE',
    });
    expect(nodes[0].confidence).toBeCloseTo(MV_TWO_OF_THREE, 11);
    expect(nodes[4]).toEqual({
      itemId: d.regularIds[4],
      externalId: 'r5',
      label: null,
      confidence: null,
      answers: 0,
      status: 'PENDING',
      method: null,
    });
    expect(nodes.map((n) => n.itemId)).not.toContain(d.goldIds[0]);
  });

  it('lists worker quality with the gold record and the aggregation estimate', async () => {
    const res = await gql(app, { query: QUALITY, variables: { id: d.datasetId, first: 1 }, token: owner.token });
    expect(res.data.workerQuality.totalCount).toBe(4);
    expect(res.data.workerQuality.pageInfo.hasNextPage).toBe(true);
    // The total reads every worker's row of the dataset: only for a query that asks, once.
    expect(
      await listCounts(app, {
        query: (selection) => `query($id: ID!) { workerQuality(datasetId: $id, first: 1) { ${selection} } }`,
        variables: { id: d.datasetId },
        table: 'worker_stats',
        token: owner.token,
      }),
    ).toEqual({ withoutTotal: 0, totalTwice: 1, totals: [4, 4] });
    const all = await gql(app, { query: QUALITY, variables: { id: d.datasetId, first: 10 }, token: admin.token });
    const byWorker = new Map(
      all.data.workerQuality.edges.map((e: { node: { workerId: string } }) => [e.node.workerId, e.node]),
    );
    // Answers count every submitted answer, gold included (5 assignments of 2 answers).
    expect(byWorker.get(workers[0])).toMatchObject({
      answers: 10,
      goldAnswers: 5,
      goldAccuracy: 0.8,
      blocked: true,
      blockReason: 'GOLD_ACCURACY',
      submittedAssignments: 5,
      pendingAssignments: 0,
      estimatedAccuracy: expect.any(Number),
    });
    expect(byWorker.get(workers[1])).toMatchObject({
      answers: 8,
      goldAnswers: 4,
      goldAccuracy: 1,
      blocked: false,
      blockReason: null,
      estimatedAccuracy: expect.any(Number),
    });
    // No verdict yet: no gold record, and no accepted answer for consensus to rate.
    expect(byWorker.get(workers[3])).toMatchObject({
      answers: 2,
      goldAnswers: 0,
      goldAccuracy: null,
      estimatedAccuracy: null,
      blocked: false,
      submittedAssignments: 1,
      pendingAssignments: 1,
    });
  });

  it.each([
    ['a labeler', () => labeler, 'FORBIDDEN'],
    ['another requester', () => otherRequester, 'FORBIDDEN'],
  ])('refuses %s', async (_who, user, code) => {
    for (const query of [RESULTS, QUALITY]) {
      const res = await gql(app, { query, variables: { id: d.datasetId }, token: user().token });
      expect(errorCode(res)).toBe(code);
      expect(res.data).toBeNull();
    }
  });

  it.each([
    ['an unknown dataset', '00000000-0000-4000-8000-000000000000'],
    ['a malformed id', 'not-a-uuid'],
  ])('answers NOT_FOUND for %s', async (_what, id) => {
    expect(errorCode(await gql(app, { query: RESULTS, variables: { id }, token: owner.token }))).toBe('NOT_FOUND');
  });

  it.each([
    ['a forged cursor', { after: 'bm9wZQ' }],
    ['a page size over the limit', { first: 501 }],
  ])('refuses %s', async (_what, variables) => {
    expect(
      errorCode(await gql(app, { query: RESULTS, variables: { id: d.datasetId, ...variables }, token: owner.token })),
    ).toBe('BAD_USER_INPUT');
  });

  it('resolves Dataset.agreement from the last full aggregation, null before it', async () => {
    const fresh = await createConsensusDataset(app.dataSource, { items: 2 });
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [fresh.datasetId, owner.id]);
    const query = 'query($id: ID!) { dataset(id: $id) { agreement { fleissKappa krippendorffAlpha meanConfidence } } }';
    expect(
      (await gql(app, { query, variables: { id: fresh.datasetId }, token: owner.token })).data.dataset.agreement,
    ).toBeNull();
    const res = await gql(app, { query, variables: { id: d.datasetId }, token: owner.token });
    expect(res.errors).toBeUndefined();
    const agreement = res.data.dataset.agreement;
    expect(agreement.fleissKappa).toEqual(expect.any(Number));
    expect(agreement.krippendorffAlpha).toEqual(expect.any(Number));
    expect(agreement.meanConfidence).toBeCloseTo((MV_TWO_OF_THREE + 1 + 1 + 1) / 4, 11);
  });
});
