import { Role } from '../../src/auth/role';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { acceptAssignment } from '../consensus/fixtures';
import { errorCode, gql } from '../support/gql';
import { listCounts } from '../support/list-counts';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { createDataset, DATASET_FIELDS, FUNDING_FIELDS, mutate, ndjson, upload } from './dataset-fixtures';

const PUBLIC_QUERY = `query($id: ID!) { dataset(id: $id) { ${DATASET_FIELDS} instructions createdAt agreement { fleissKappa krippendorffAlpha meanConfidence } } }`;
const PROGRESS = 'progress { items goldItems tasks labeledItems answers activeAssignments }';
const LIST = `query($first: Int, $after: String) { datasets(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name status } } } }`;
const GOLD_SECRET = 'GOLD-SECRET-7f3a9c';

describe('reading datasets', () => {
  let app: TestApp;
  let owner: SignedInUser;
  let labeler: SignedInUser;
  let reviewer: SignedInUser;
  let admin: SignedInUser;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '1000' } });
    owner = await signInAs(app, [Role.LABELER, Role.REQUESTER]);
    labeler = await signIn(app);
    reviewer = await signInAs(app, [Role.LABELER, Role.REVIEWER]);
    admin = await signInAs(app, [Role.ADMIN, Role.LABELER]);
  });
  afterAll(() => app.close());

  async function openDataset(overrides: Record<string, unknown> = {}): Promise<string> {
    const { id } = await createDataset(app, owner.token, overrides);
    await upload(app, {
      id,
      token: owner.token,
      body: ndjson([
        { externalId: 'r1', payload: { t: 1 } },
        { externalId: 'r2', payload: { t: 2 } },
        { externalId: 'r3', payload: { t: 3 } },
        { externalId: 'g1', payload: { t: 'g' }, goldLabel: 'cat' },
      ]),
    });
    await gql(app, {
      query: 'mutation($id: ID!) { creditDatasetBudget(datasetId: $id, amount: "100") { id } }',
      variables: { id },
      token: admin.token,
    });
    const res = await mutate(app, { op: 'publishDataset', id, token: owner.token });
    expect(res.data.publishDataset.status).toBe('OPEN');
    return id;
  }

  describe('dataset(id)', () => {
    it('shows a DRAFT dataset to its owner, admins and reviewers only; null for everyone else', async () => {
      const { id } = await createDataset(app, owner.token);
      for (const user of [owner, admin, reviewer])
        expect((await gql(app, { query: PUBLIC_QUERY, variables: { id }, token: user.token })).data.dataset.id).toBe(
          id,
        );
      const hidden = await gql(app, { query: PUBLIC_QUERY, variables: { id }, token: labeler.token });
      expect(hidden.data.dataset).toBeNull();
      expect(hidden.errors).toBeUndefined();
      expect(
        (
          await gql(app, {
            query: PUBLIC_QUERY,
            variables: { id: '00000000-0000-4000-8000-000000000000' },
            token: owner.token,
          })
        ).data.dataset,
      ).toBeNull();
      expect(
        (await gql(app, { query: PUBLIC_QUERY, variables: { id: 'nope' }, token: owner.token })).data.dataset,
      ).toBeNull();
    });

    it('shows OPEN and PAUSED datasets to any labeler, with agreement null for now', async () => {
      const id = await openDataset({ instructions: 'Pick the animal' });
      const open = await gql(app, { query: PUBLIC_QUERY, variables: { id }, token: labeler.token });
      expect(open.data.dataset).toMatchObject({
        id,
        status: 'OPEN',
        instructions: 'Pick the animal',
        labelSchema: { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog'] },
        rewardPerAnswer: '0.5',
        agreement: null,
      });
      await mutate(app, { op: 'pauseDataset', id, token: owner.token });
      expect(
        (await gql(app, { query: PUBLIC_QUERY, variables: { id }, token: labeler.token })).data.dataset.status,
      ).toBe('PAUSED');
      await mutate(app, { op: 'cancelDataset', id, token: owner.token });
      expect(
        (await gql(app, { query: PUBLIC_QUERY, variables: { id }, token: labeler.token })).data.dataset,
      ).toBeNull();
    });

    it.each(['budget', 'committed', 'spent', 'depositKey', PROGRESS])(
      'refuses %s to a labeler and a reviewer with FORBIDDEN',
      async (field) => {
        const id = await openDataset();
        for (const user of [labeler, reviewer]) {
          const res = await gql(app, {
            query: `query($id: ID!) { dataset(id: $id) { id ${field} } }`,
            variables: { id },
            token: user.token,
          });
          expect(errorCode(res)).toBe('FORBIDDEN');
          expect(res.data?.dataset ?? null).toBeNull();
        }
        const mine = await gql(app, {
          query: `query($id: ID!) { dataset(id: $id) { id ${field} } }`,
          variables: { id },
          token: owner.token,
        });
        expect(mine.errors).toBeUndefined();
      },
    );

    it('shows funding to the owner and an admin', async () => {
      const id = await openDataset();
      for (const user of [owner, admin]) {
        const res = await gql(app, {
          query: `query($id: ID!) { dataset(id: $id) { ${FUNDING_FIELDS} } }`,
          variables: { id },
          token: user.token,
        });
        // 3 regular items, 2 answers each, 2 a task, no gold: 6 answers × 0.5, plus the 10% dispute reserve
        expect(res.data.dataset).toMatchObject({
          budget: '100',
          committed: '3.3',
          spent: '0',
          depositKey: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        });
      }
    });
  });

  // Moved by the product's own paths: the split, leases and submits as claim_task and the submit
  // write them, verdicts decided by the VerdictService, a claim through the API.
  it('counts progress live', async () => {
    const id = await openDataset();
    const query = `query($id: ID!) { dataset(id: $id) { ${PROGRESS} } }`;
    const progress = async () =>
      (await gql(app, { query, variables: { id }, token: owner.token })).data.dataset.progress;
    expect(await progress()).toEqual({
      items: 4,
      goldItems: 1,
      tasks: 0,
      labeledItems: 0,
      answers: 0,
      activeAssignments: 0,
    });
    await app.app.get(TaskSplitService).split(id);
    const [r1, r2] = (
      await app.dataSource.query('SELECT id FROM items WHERE dataset_id = $1 AND NOT is_gold ORDER BY seq', [id])
    ).map((r: { id: string }) => r.id);
    // Two answers each on r1 and r2 (the task of both, two slots): both LABELED, four answers accepted.
    for (const worker of [labeler, reviewer])
      await acceptAssignment(app.dataSource, {
        datasetId: id,
        workerId: worker.id,
        answers: [
          [r1, 'cat'],
          [r2, 'dog'],
        ],
      });
    // The task of r3 is the only one with a free slot: held.
    const claim = await gql(app, {
      query: 'mutation($d: ID) { claimTask(datasetId: $d) { id } }',
      variables: { d: id },
      token: admin.token,
    });
    expect(claim.errors).toBeUndefined();
    expect(await progress()).toEqual({
      items: 4,
      goldItems: 1,
      tasks: 2,
      labeledItems: 2,
      answers: 4,
      activeAssignments: 1,
    });
  });

  describe('datasets(first, after)', () => {
    let pagedOwner: SignedInUser;
    let mine: string[];
    let openIds: string[];
    beforeAll(async () => {
      const other = await signInAs(app, [Role.LABELER, Role.REQUESTER]);
      pagedOwner = other;
      mine = [];
      for (let i = 0; i < 5; i++) mine.push((await createDataset(app, other.token, { name: `paged ${i}` })).id);
      openIds = [];
      for (let i = 0; i < 2; i++) {
        const { id } = await createDataset(app, other.token, { name: `open ${i}` });
        await upload(app, { id, token: other.token, body: ndjson([{ payload: { t: i } }]) });
        await gql(app, {
          query: 'mutation($id: ID!) { creditDatasetBudget(datasetId: $id, amount: "10") { id } }',
          variables: { id },
          token: admin.token,
        });
        await mutate(app, { op: 'publishDataset', id, token: other.token });
        openIds.push(id);
      }
    });

    async function allPages(
      token: string,
      first: number,
    ): Promise<{ ids: string[]; pages: number; totalCount: number }> {
      const ids: string[] = [];
      let after: string | null = null;
      let pages = 0;
      let totalCount = 0;
      for (;;) {
        const res = await gql(app, { query: LIST, variables: { first, after }, token });
        expect(res.errors).toBeUndefined();
        const page = res.data.datasets;
        totalCount = page.totalCount;
        ids.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
        pages++;
        if (!page.pageInfo.hasNextPage) return { ids, pages, totalCount };
        after = page.pageInfo.endCursor;
      }
    }

    it('pages the owner through their own datasets and everyone else’s OPEN ones, newest first, without gaps or repeats', async () => {
      const { ids, pages, totalCount } = await allPages(pagedOwner.token, 2);
      const othersOpen: string[] = (
        await app.dataSource.query(`SELECT id FROM datasets WHERE status = 'OPEN' AND owner_id <> $1`, [pagedOwner.id])
      ).map((r: { id: string }) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(totalCount);
      expect(new Set(ids)).toEqual(new Set([...mine, ...openIds, ...othersOpen]));
      expect(pages).toBe(Math.ceil(totalCount / 2));
      const [{ order }] = await app.dataSource.query(
        `SELECT array_agg(id ORDER BY created_at DESC, id DESC) AS order FROM datasets WHERE id = ANY($1)`,
        [ids],
      );
      expect(ids).toEqual(order);
    });

    it('counts the whole list only for a query that asks for totalCount, and once however often it asks', async () => {
      const [{ visible }] = await app.dataSource.query(
        `SELECT count(*)::int AS visible FROM datasets WHERE owner_id = $1 OR status = 'OPEN'`,
        [pagedOwner.id],
      );
      expect(
        await listCounts(app, {
          query: (selection) => `{ datasets(first: 2) { ${selection} } }`,
          table: 'datasets',
          token: pagedOwner.token,
        }),
      ).toEqual({ withoutTotal: 0, totalTwice: 1, totals: [visible, visible] });
    });

    it('shows a labeler only OPEN datasets and an admin all of them', async () => {
      const labelerView = await allPages(labeler.token, 3);
      const [{ open }] = await app.dataSource.query(`SELECT count(*)::int AS open FROM datasets WHERE status = 'OPEN'`);
      expect(labelerView.ids.length).toBe(open);
      expect(labelerView.ids).toEqual(expect.arrayContaining(openIds));
      expect(labelerView.ids).not.toEqual(expect.arrayContaining([mine[0]]));
      const adminView = await allPages(admin.token, 500);
      const [{ all }] = await app.dataSource.query(`SELECT count(*)::int AS all FROM datasets`);
      expect(adminView.ids.length).toBe(all);
    });

    it.each([
      [{ first: 0 }],
      [{ first: 501 }],
      [{ first: 2, after: 'not-a-cursor' }],
      [{ first: 2, after: Buffer.from('2026-01-01|x').toString('base64url') }],
    ])('refuses %o with BAD_USER_INPUT', async (variables) => {
      expect(errorCode(await gql(app, { query: LIST, variables, token: owner.token }))).toBe('BAD_USER_INPUT');
    });
  });

  it('never shows a gold label to a labeler: not in dataset reads, lists, or any error', async () => {
    const { id } = await createDataset(app, owner.token, { labelSchema: { kind: 'FREE_TEXT' }, goldPerTask: 1 });
    const up = await upload(app, {
      id,
      token: owner.token,
      body: ndjson([
        { externalId: 'r', payload: { q: 'capital of France?' } },
        { externalId: 'g', payload: { q: 'capital of Italy?' }, goldLabel: GOLD_SECRET },
      ]),
    });
    expect(JSON.stringify(up.body)).not.toContain(GOLD_SECRET);
    await gql(app, {
      query: 'mutation($id: ID!) { creditDatasetBudget(datasetId: $id, amount: "10") { id } }',
      variables: { id },
      token: admin.token,
    });
    await mutate(app, { op: 'publishDataset', id, token: owner.token });
    const seen: unknown[] = [];
    seen.push(await gql(app, { query: PUBLIC_QUERY, variables: { id }, token: labeler.token }));
    seen.push(
      await gql(app, {
        query: `query($id: ID!) { dataset(id: $id) { id labelSchema ${PROGRESS} } }`,
        variables: { id },
        token: labeler.token,
      }),
    );
    seen.push(await gql(app, { query: LIST, variables: { first: 500 }, token: labeler.token }));
    seen.push(
      await gql(app, {
        query: 'mutation($id: ID!, $items: [ItemInput!]!) { addItems(datasetId: $id, items: $items) { inserted } }',
        variables: { id, items: [{ payload: {}, goldLabel: GOLD_SECRET }] },
        token: labeler.token,
      }),
    );
    seen.push(
      (
        await upload(app, {
          id,
          token: labeler.token,
          body: ndjson([{ externalId: 'g', payload: {}, goldLabel: GOLD_SECRET }]),
        })
      ).body,
    );
    for (const op of ['pauseDataset', 'cancelDataset']) seen.push(await mutate(app, { op, id, token: labeler.token }));
    const text = JSON.stringify(seen);
    expect(text).toContain(id);
    expect(text).not.toContain(GOLD_SECRET);
    // The owner's own view of the dataset does not carry item data either.
    expect(
      JSON.stringify(
        await gql(app, {
          query: `query($id: ID!) { dataset(id: $id) { ${DATASET_FIELDS} ${FUNDING_FIELDS} ${PROGRESS} } }`,
          variables: { id },
          token: owner.token,
        }),
      ),
    ).not.toContain(GOLD_SECRET);
  });
});
