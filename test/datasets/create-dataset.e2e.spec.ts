import { id as keccakOfUtf8 } from 'ethers';
import { Role } from '../../src/auth/role';
import { errorCode, gql } from '../support/gql';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { CREATE, datasetInput } from './dataset-fixtures';

describe('createDataset', () => {
  let app: TestApp;
  let requester: SignedInUser;
  let labeler: SignedInUser;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '1000' } });
    requester = await signInAs(app, [Role.LABELER, Role.REQUESTER]);
    labeler = await signIn(app);
  });
  afterAll(() => app.close());

  const datasetCount = async (): Promise<number> =>
    (await app.dataSource.query('SELECT count(*)::int AS n FROM datasets'))[0].n;

  it('creates a DRAFT dataset with the defaults filled in and an unfunded budget', async () => {
    const res = await gql(app, { query: CREATE, variables: { input: datasetInput() }, token: requester.token });
    expect(res.errors).toBeUndefined();
    const dataset = res.data.createDataset;
    expect(dataset).toMatchObject({
      ownerId: requester.id,
      name: 'Cats and dogs',
      status: 'DRAFT',
      labelSchema: { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog'] },
      answersPerItem: 2,
      maxAnswersPerItem: 2,
      itemsPerTask: 2,
      goldPerTask: 0,
      rewardPerAnswer: '0.5',
      leaseSeconds: 600,
      aggregation: 'IBCC', // the consensus default (docs/consensus.md)
      targetConfidence: null,
      minGoldAccuracy: null,
      budget: '0',
      committed: '0',
      spent: '0',
    });
  });

  it('derives depositKey as keccak256 of the UTF-8 dataset id', async () => {
    const res = await gql(app, { query: CREATE, variables: { input: datasetInput() }, token: requester.token });
    const { id, depositKey } = res.data.createDataset;
    expect(depositKey).toMatch(/^0x[0-9a-f]{64}$/);
    expect(depositKey).toBe(keccakOfUtf8(id));
  });

  it('stores every option given', async () => {
    const input = datasetInput({
      labelSchema: { kind: 'RATING', min: 1, max: 5 },
      maxAnswersPerItem: 5,
      targetConfidence: 0.8,
      goldPerTask: 1,
      minGoldAccuracy: 0.6,
      leaseSeconds: 120,
      aggregation: 'MAJORITY_VOTE',
      instructions: 'Rate it',
    });
    const res = await gql(app, { query: CREATE, variables: { input }, token: requester.token });
    expect(res.data.createDataset).toMatchObject({
      labelSchema: { kind: 'RATING', min: 1, max: 5 },
      maxAnswersPerItem: 5,
      targetConfidence: 0.8,
      goldPerTask: 1,
      minGoldAccuracy: 0.6,
      leaseSeconds: 120,
      aggregation: 'MAJORITY_VOTE',
    });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['empty name', 'name', { name: ' ' }],
    ['name over 200 characters', 'name', { name: 'x'.repeat(201) }],
    [
      'single choice with one class',
      'labelSchema.classes',
      { labelSchema: { kind: 'SINGLE_CHOICE', classes: ['cat'] } },
    ],
    [
      'multi choice with repeated classes',
      'labelSchema.classes',
      { labelSchema: { kind: 'MULTI_CHOICE', classes: ['a', 'b', 'a'] } },
    ],
    [
      'choice with an empty class',
      'labelSchema.classes',
      { labelSchema: { kind: 'SINGLE_CHOICE', classes: ['a', ''] } },
    ],
    ['free text with classes', 'labelSchema.classes', { labelSchema: { kind: 'FREE_TEXT', classes: ['a', 'b'] } }],
    ['rating without a range', 'labelSchema.min', { labelSchema: { kind: 'RATING' } }],
    ['rating with min = max', 'labelSchema.max', { labelSchema: { kind: 'RATING', min: 2, max: 2 } }],
    ['answersPerItem 0', 'answersPerItem', { answersPerItem: 0 }],
    ['answersPerItem 101', 'answersPerItem', { answersPerItem: 101 }],
    ['maxAnswersPerItem below answersPerItem', 'maxAnswersPerItem', { answersPerItem: 3, maxAnswersPerItem: 2 }],
    ['targetConfidence 0', 'targetConfidence', { targetConfidence: 0 }],
    ['targetConfidence 1.5', 'targetConfidence', { targetConfidence: 1.5 }],
    ['itemsPerTask 0', 'itemsPerTask', { itemsPerTask: 0 }],
    ['itemsPerTask 1001', 'itemsPerTask', { itemsPerTask: 1001 }],
    ['goldPerTask -1', 'goldPerTask', { goldPerTask: -1 }],
    ['rewardPerAnswer 0', 'rewardPerAnswer', { rewardPerAnswer: '0' }],
    ['minGoldAccuracy 1.1', 'minGoldAccuracy', { minGoldAccuracy: 1.1 }],
    ['minGoldAccuracy -0.1', 'minGoldAccuracy', { minGoldAccuracy: -0.1 }],
    ['leaseSeconds 29', 'leaseSeconds', { leaseSeconds: 29 }],
    ['leaseSeconds 86401', 'leaseSeconds', { leaseSeconds: 86401 }],
  ])('refuses %s with BAD_USER_INPUT naming %s, creating nothing', async (_name, field, overrides) => {
    const before = await datasetCount();
    const res = await gql(app, {
      query: CREATE,
      variables: { input: datasetInput(overrides) },
      token: requester.token,
    });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toContain(field);
    expect(res.errors?.[0].extensions?.details).toEqual({ field });
    expect(await datasetCount()).toBe(before);
  });

  it.each([
    ['a negative reward', { rewardPerAnswer: '-1' }],
    ['a reward that is not a decimal', { rewardPerAnswer: '1e3' }],
    ['an unknown label kind', { labelSchema: { kind: 'RANKING' } }],
  ])('refuses %s at the GraphQL layer', async (_name, overrides) => {
    const res = await gql(app, {
      query: CREATE,
      variables: { input: datasetInput(overrides) },
      token: requester.token,
    });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  it('refuses a LABELER and creates nothing', async () => {
    const before = await datasetCount();
    const res = await gql(app, { query: CREATE, variables: { input: datasetInput() }, token: labeler.token });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(await datasetCount()).toBe(before);
  });

  it('refuses an anonymous caller', async () => {
    expect(errorCode(await gql(app, { query: CREATE, variables: { input: datasetInput() } }))).toBe('UNAUTHENTICATED');
  });
});
