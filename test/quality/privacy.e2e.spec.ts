import {
  getIntrospectionQuery,
  type IntrospectionQuery,
  type IntrospectionType,
  type IntrospectionTypeRef,
} from 'graphql';
import { randomBytes } from 'node:crypto';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset } from '../support/fixtures';
import { gql } from '../support/gql';
import { signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { claim, submit } from '../tasks/labeler';

// Contract names that mention gold without exposing a gold label or which item is gold:
// counts and rates for requesters (the owner-only gold pool and gaming flag) and the dataset
// settings.
const ALLOWED = new Set([
  'goldPerTask',
  'minGoldAccuracy',
  'goldItems',
  'goldAnswers',
  'goldAccuracy',
  'goldExposureCap',
  'goldCapacity',
  'goldPool',
  'goldGamingSuspected',
]);
const ALLOWED_TYPES = new Set(['GoldPool']);
const LABELER_OPERATIONS = [
  'claimTask',
  'submitAssignment',
  'releaseAssignment',
  'myAssignments',
  'appealAssignment',
  'myDisputes',
];
// The case a reviewer decides shows gold items and labels: only to the lease holder and ADMIN
// (the services refuse anyone else), and only through these operations.
const REVIEWER_CASE_OPERATIONS = ['claimDispute', 'disputeCase'];
const CASE_TYPES = ['DisputeCase', 'CaseItem', 'CaseAnswer'];

function named(ref: IntrospectionTypeRef): string {
  return 'ofType' in ref && ref.ofType ? named(ref.ofType) : (ref as { name: string }).name;
}

describe('gold never reaches a labeler', () => {
  let app: TestApp;
  let types: Map<string, IntrospectionType>;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api' });
    const user = await signIn(app);
    const res = await gql(app, { query: getIntrospectionQuery(), token: user.token });
    const schema = (res.data as IntrospectionQuery).__schema;
    types = new Map(schema.types.map((t) => [t.name, t]));
  });
  afterAll(() => app.close());

  // Output types reachable from the given root fields (arguments are inputs the caller sends).
  function reachable(rootFields: { name: string; type: IntrospectionTypeRef }[]): Map<string, string[]> {
    const seen = new Map<string, string[]>();
    const queue = rootFields.map((f) => named(f.type));
    while (queue.length) {
      const name = queue.pop()!;
      const type = types.get(name);
      if (!type || seen.has(name) || name.startsWith('__')) continue;
      const fields = type.kind === 'OBJECT' || type.kind === 'INTERFACE' ? type.fields : [];
      seen.set(
        name,
        fields.map((f) => f.name),
      );
      queue.push(...fields.map((f) => named(f.type)));
      if (type.kind === 'UNION' || type.kind === 'INTERFACE')
        queue.push(...(type.possibleTypes ?? []).map((p) => p.name));
    }
    return seen;
  }

  function roots(): { name: string; type: IntrospectionTypeRef }[] {
    return ['Query', 'Mutation'].flatMap((root) => {
      const type = types.get(root);
      return type && type.kind === 'OBJECT' ? [...type.fields] : [];
    });
  }

  it('the assignment and dispute types a labeler reaches have exactly the public fields: no label, no worker', () => {
    const seen = [...reachable(roots().filter((f) => LABELER_OPERATIONS.includes(f.name)))].filter(
      ([name]) => types.get(name)?.kind === 'OBJECT',
    );
    expect(Object.fromEntries(seen)).toEqual({
      Assignment: ['datasetId', 'expiresAt', 'id', 'items', 'status', 'submittedAt', 'verdictAt'],
      AssignmentConnection: ['edges', 'pageInfo', 'totalCount'],
      AssignmentEdge: ['cursor', 'node'],
      Dispute: [
        'assignmentId',
        'createdAt',
        'datasetId',
        'id',
        'itemId',
        'kind',
        'leaseExpiresAt',
        'note',
        'outcome',
        'reason',
        'resolvedAt',
        'status',
      ],
      DisputeConnection: ['edges', 'pageInfo', 'totalCount'],
      DisputeEdge: ['cursor', 'node'],
      PageInfo: ['endCursor', 'hasNextPage'],
      TaskItem: ['id', 'payload'],
    });
  });

  it('the case types are reachable only from the reviewer case operations, and name workers only by pseudonym', () => {
    const elsewhere = reachable(roots().filter((f) => !REVIEWER_CASE_OPERATIONS.includes(f.name)));
    expect(CASE_TYPES.filter((t) => elsewhere.has(t))).toEqual([]);
    const cases = reachable(roots().filter((f) => REVIEWER_CASE_OPERATIONS.includes(f.name)));
    expect(cases.get('CaseAnswer')).toEqual(['appellant', 'counted', 'label', 'worker', 'workerAccuracy']);
    expect(cases.get('CaseItem')).toEqual([
      'answers',
      'confidence',
      'gold',
      'itemId',
      'payload',
      'referenceLabel',
      'retired',
      'verdictGiven',
    ]);
    expect(cases.get('DisputeCase')).toEqual(['dispute', 'instructions', 'items', 'labelSchema']);
    // Nothing in a case is an account: no id, address or account type anywhere in it.
    for (const type of CASE_TYPES)
      for (const field of cases.get(type) ?? [])
        expect(`${type}.${field}`).not.toMatch(/account|address|workerId|reviewerId/i);
    expect([...cases.keys()].filter((t) => /account/i.test(t))).toEqual([]);
  });

  it('no field reachable from any root outside the reviewer case operations is named after gold, except the allowed counters', () => {
    const offending: string[] = [];
    const outsideCases = roots().filter((f) => !REVIEWER_CASE_OPERATIONS.includes(f.name));
    for (const field of outsideCases)
      if (/gold/i.test(field.name) && !ALLOWED.has(field.name)) offending.push(`root.${field.name}`);
    for (const [type, fields] of reachable(outsideCases)) {
      if (/gold/i.test(type) && !ALLOWED_TYPES.has(type)) offending.push(type);
      for (const name of fields) if (/gold/i.test(name) && !ALLOWED.has(name)) offending.push(`${type}.${name}`);
    }
    expect(offending).toEqual([]);
  });

  // The field-name checks above cannot see a gold label carried in a value (a payload, a message,
  // a JSON field). Here every answer a labeler gets while working on a dataset with gold is kept
  // as text and searched for the gold labels themselves, which are unguessable strings.
  it('no answer a labeler gets carries a gold label, in any value or message', async () => {
    const secret = (i: number): string => `gold-${randomBytes(8).toString('hex')}-${i}`;
    const labels = Array.from({ length: 6 }, (_, i) => secret(i));
    const fixture = await createOpenDataset(app.dataSource, {
      labelSchema: { kind: 'FREE_TEXT' } as never,
      items: 20,
      itemsPerTask: 5,
      answersPerItem: 2,
      gold: 6,
      goldPerTask: 2,
      minGoldAccuracy: 1,
      goldLabel: (i) => labels[i],
    });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    const labeler = await signIn(app);
    const seen: string[] = [];
    const keep = <T>(res: T): T => {
      seen.push(JSON.stringify(res));
      return res;
    };

    const first = keep(await claim(app, labeler.token, fixture.datasetId)).assignment!;
    expect(first.items.filter((item) => fixture.goldIds.includes(item.id))).toHaveLength(2); // gold was handed out
    // A label that breaks the schema on every item, gold included, then wrong gold answers.
    keep(
      await submit(
        app,
        labeler.token,
        first.id,
        first.items.map((item) => ({ itemId: item.id, label: 42 })),
      ),
    );
    keep(
      await submit(
        app,
        labeler.token,
        first.id,
        first.items.map((item) => ({ itemId: item.id, label: 'not it' })),
      ),
    );
    const second = keep(await claim(app, labeler.token, fixture.datasetId)).assignment;
    if (second)
      keep(
        await submit(
          app,
          labeler.token,
          second.id,
          second.items.map((item) => ({ itemId: item.id, label: 'still not it' })),
        ),
      );
    for (const query of [
      `{ dataset(id: "${fixture.datasetId}") { id name status labelSchema answersPerItem goldPerTask progress { items goldItems } } }`,
      '{ datasets(first: 50) { edges { node { id name labelSchema } } } }',
      `{ datasetResults(datasetId: "${fixture.datasetId}") { edges { node { itemId label } } } }`,
      `{ workerQuality(datasetId: "${fixture.datasetId}") { edges { node { workerId goldAccuracy } } } }`,
      '{ myEarnings { pending available } me { id roles } }',
    ]) {
      keep(await gql(app, { query, token: labeler.token }));
    }
    keep(
      (
        await app.http
          .get(`/datasets/${fixture.datasetId}/export?format=jsonl`)
          .set('authorization', `Bearer ${labeler.token}`)
      ).text,
    );

    const text = seen.join('\n');
    expect(text.length).toBeGreaterThan(1000); // the calls above did answer
    expect(labels.filter((label) => text.includes(label))).toEqual([]);
    // Nor which of the items are gold: nothing beyond the id and payload the regular items have.
    expect(text).not.toMatch(/is_?gold|gold_?label/i);
  });
});
