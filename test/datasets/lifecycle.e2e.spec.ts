import { DatasetLifecycleService } from '../../src/datasets/dataset-lifecycle.service';
import { Role } from '../../src/auth/role';
import { errorCode, gql } from '../support/gql';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { createDataset, datasetRow, mutate } from './dataset-fixtures';

const TOKEN = 10n ** 18n;
const ADD_ITEMS =
  'mutation($id: ID!, $items: [ItemInput!]!) { addItems(datasetId: $id, items: $items) { inserted duplicates rejected { index code message } } }';
const CREDIT =
  'mutation($id: ID!, $amount: TokenAmount!) { creditDatasetBudget(datasetId: $id, amount: $amount) { id budget committed spent } }';

describe('dataset lifecycle and funding', () => {
  let app: TestApp;
  let owner: SignedInUser;
  let otherRequester: SignedInUser;
  let labeler: SignedInUser;
  let admin: SignedInUser;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '1000' } });
    owner = await signInAs(app, [Role.LABELER, Role.REQUESTER]);
    otherRequester = await signInAs(app, [Role.LABELER, Role.REQUESTER]);
    labeler = await signIn(app);
    admin = await signInAs(app, [Role.ADMIN, Role.LABELER]);
  });
  afterAll(() => app.close());

  // 3 regular items + 2 gold; reward 0.5, 2 answers an item, 2 items a task, 1 gold a task:
  // tasks = 2, answers = 3×2 + 2×2×1 = 10, required = 5 tokens (no dispute reserve unless a test
  // asks for one).
  async function draftWithItems(overrides: Record<string, unknown> = {}): Promise<string> {
    const { id } = await createDataset(app, owner.token, { goldPerTask: 1, disputeReservePercent: 0, ...overrides });
    const items = [
      { payload: { t: 'a' } },
      { payload: { t: 'b' } },
      { payload: { t: 'c' } },
      { payload: { t: 'g1' }, goldLabel: 'cat' },
      { payload: { t: 'g2' }, goldLabel: 'dog' },
    ];
    const res = await gql(app, { query: ADD_ITEMS, variables: { id, items }, token: owner.token });
    expect(res.data.addItems).toEqual({ inserted: 5, duplicates: 0, rejected: [] });
    return id;
  }

  const credit = (id: string, amount: string, token = admin.token) =>
    gql(app, { query: CREDIT, variables: { id, amount }, token });
  const outboxRows = async (id: string) =>
    app.dataSource.query(
      `SELECT job_name, job_id, payload FROM outbox WHERE job_name = 'tasks.split-dataset' AND payload->>'datasetId' = $1`,
      [id],
    );
  const auditActions = async (id: string): Promise<string[]> =>
    (
      await app.dataSource.query(`SELECT action FROM audit_events WHERE subject = $1 ORDER BY id`, [`dataset:${id}`])
    ).map((r: { action: string }) => r.action);

  it('refuses to publish without budget, then publishes once credited: commits the worst case and enqueues one split job', async () => {
    const id = await draftWithItems();
    const refused = await mutate(app, { op: 'publishDataset', id, token: owner.token });
    expect(errorCode(refused)).toBe('INSUFFICIENT_BUDGET');
    expect(refused.errors?.[0].extensions?.details).toEqual({
      required: '5',
      available: '0',
      shortfall: '5',
      disputeReserve: '0',
    });
    expect(await datasetRow(app, id)).toMatchObject({ status: 'DRAFT', committed: '0' });
    expect(await outboxRows(id)).toHaveLength(0);

    expect((await credit(id, '4.5')).data.creditDatasetBudget).toMatchObject({ budget: '4.5', committed: '0' });
    expect(
      (await mutate(app, { op: 'publishDataset', id, token: owner.token })).errors?.[0].extensions?.details,
    ).toEqual({ required: '5', available: '4.5', shortfall: '0.5', disputeReserve: '0' });

    await credit(id, '0.5');
    const published = await mutate(app, {
      op: 'publishDataset',
      id,
      token: owner.token,
      fields: 'status budget committed spent',
    });
    expect(published.data.publishDataset).toEqual({ status: 'OPEN', budget: '5', committed: '5', spent: '0' });
    expect(await outboxRows(id)).toEqual([
      { job_name: 'tasks.split-dataset', job_id: `split:${id}`, payload: { datasetId: id } },
    ]);
    expect(await auditActions(id)).toEqual(['dataset.credit', 'dataset.credit', 'dataset.publish']);

    const again = await mutate(app, { op: 'publishDataset', id, token: owner.token });
    expect(errorCode(again)).toBe('INVALID_TRANSITION');
    expect(await outboxRows(id)).toHaveLength(1);
    expect(await datasetRow(app, id)).toMatchObject({ committed: (5n * TOKEN).toString() });
  });

  it('lets exactly one of several concurrent publishes through', async () => {
    const id = await draftWithItems();
    await credit(id, '100');
    const results = await Promise.all(
      Array.from({ length: 6 }, () => mutate(app, { op: 'publishDataset', id, token: owner.token })),
    );
    expect(results.filter((r) => r.data?.publishDataset?.status === 'OPEN')).toHaveLength(1);
    expect(results.filter((r) => errorCode(r) === 'INVALID_TRANSITION')).toHaveLength(5);
    expect(await datasetRow(app, id)).toMatchObject({ status: 'OPEN', committed: (5n * TOKEN).toString() });
    expect(await outboxRows(id)).toHaveLength(1);
  });

  it.each<[string, Record<string, unknown>, { payload: object; goldLabel?: string }[], string]>([
    ['no items', {}, [], 'regular'],
    ['only gold items', {}, [{ payload: { t: 'g' }, goldLabel: 'cat' }], 'regular'],
    [
      'fewer gold items than goldPerTask',
      { goldPerTask: 2 },
      [{ payload: { t: 'a' } }, { payload: { t: 'g' }, goldLabel: 'cat' }],
      'gold',
    ],
  ])('refuses to publish with %s', async (_name, overrides, items, word) => {
    const { id } = await createDataset(app, owner.token, overrides);
    if (items.length) await gql(app, { query: ADD_ITEMS, variables: { id, items }, token: owner.token });
    await credit(id, '1000');
    const res = await mutate(app, { op: 'publishDataset', id, token: owner.token });
    expect(errorCode(res)).toBe('INVALID_TRANSITION');
    expect(res.errors?.[0].message).toContain(word);
    expect(await datasetRow(app, id)).toMatchObject({ status: 'DRAFT', committed: '0' });
    expect(await outboxRows(id)).toHaveLength(0);
  });

  it('walks OPEN ⇄ PAUSED → CANCELLED and refuses every illegal transition without changing anything', async () => {
    const id = await draftWithItems();
    for (const op of ['pauseDataset', 'resumeDataset'])
      expect(errorCode(await mutate(app, { op, id, token: owner.token }))).toBe('INVALID_TRANSITION');
    await credit(id, '5');
    await mutate(app, { op: 'publishDataset', id, token: owner.token });
    const steps: [string, string | null][] = [
      ['resumeDataset', null],
      ['pauseDataset', 'PAUSED'],
      ['pauseDataset', null],
      ['publishDataset', null],
      ['resumeDataset', 'OPEN'],
      ['pauseDataset', 'PAUSED'],
      ['cancelDataset', 'CANCELLED'],
      ['cancelDataset', null],
      ['resumeDataset', null],
      ['pauseDataset', null],
      ['publishDataset', null],
    ];
    let status = 'OPEN';
    for (const [op, expected] of steps) {
      const res = await mutate(app, { op, id, token: owner.token });
      if (expected === null) {
        expect({ op, code: errorCode(res) }).toEqual({ op, code: 'INVALID_TRANSITION' });
      } else {
        expect(res.data[op].status).toBe(expected);
        status = expected;
      }
      expect((await datasetRow(app, id)).status).toBe(status);
    }
  });

  it('refuses owner operations by a labeler and another requester (NOT_FOUND while DRAFT, FORBIDDEN once visible) and changes nothing', async () => {
    const id = await draftWithItems();
    for (const user of [labeler, otherRequester]) {
      for (const op of ['publishDataset', 'pauseDataset', 'resumeDataset', 'cancelDataset']) {
        expect({ op, code: errorCode(await mutate(app, { op, id, token: user.token })) }).toEqual({
          op,
          code: 'NOT_FOUND',
        });
      }
      expect(
        errorCode(
          await gql(app, { query: ADD_ITEMS, variables: { id, items: [{ payload: { t: 'x' } }] }, token: user.token }),
        ),
      ).toBe('NOT_FOUND');
    }
    await credit(id, '5');
    await mutate(app, { op: 'publishDataset', id, token: owner.token });
    const before = await datasetRow(app, id);
    for (const user of [labeler, otherRequester]) {
      for (const op of ['pauseDataset', 'cancelDataset', 'publishDataset']) {
        expect({ op, code: errorCode(await mutate(app, { op, id, token: user.token })) }).toEqual({
          op,
          code: 'FORBIDDEN',
        });
      }
      expect(errorCode(await credit(id, '1', user.token))).toBe('FORBIDDEN');
    }
    expect(await datasetRow(app, id)).toEqual(before);
    expect(await auditActions(id)).toEqual(['dataset.credit', 'dataset.publish']);
  });

  it('lets an ADMIN run owner transitions on any dataset', async () => {
    const id = await draftWithItems();
    await credit(id, '5');
    expect((await mutate(app, { op: 'publishDataset', id, token: admin.token })).data.publishDataset.status).toBe(
      'OPEN',
    );
    expect((await mutate(app, { op: 'pauseDataset', id, token: admin.token })).data.pauseDataset.status).toBe('PAUSED');
  });

  it('addItems reports rejected items by index with the shared validator and counts duplicates', async () => {
    const { id } = await createDataset(app, owner.token, {
      labelSchema: { kind: 'MULTI_CHOICE', classes: ['red', 'blue'] },
    });
    const items = [
      { externalId: 'a', payload: { t: 1 } },
      { externalId: 'b', payload: 'not an object' },
      { externalId: 'c', payload: { t: 3 }, goldLabel: ['green'] },
      { externalId: 'a', payload: { t: 4 } },
      { externalId: 'd', payload: { t: 5 }, goldLabel: ['blue', 'red'] },
    ];
    const res = await gql(app, { query: ADD_ITEMS, variables: { id, items }, token: owner.token });
    expect(res.data.addItems).toEqual({
      inserted: 2,
      duplicates: 1,
      rejected: [
        { index: 1, code: 'INVALID_PAYLOAD', message: expect.any(String) },
        { index: 2, code: 'INVALID_LABEL', message: expect.any(String) },
      ],
    });
    const [gold] = await app.dataSource.query(
      `SELECT gold_label FROM items WHERE dataset_id = $1 AND external_id = 'd'`,
      [id],
    );
    expect(gold.gold_label).toEqual(['red', 'blue']);
    expect(await datasetRow(app, id)).toMatchObject({ item_count: 2, gold_item_count: 1 });
  });

  it('refuses more than 1000 items in one addItems call', async () => {
    const { id } = await createDataset(app, owner.token);
    const items = Array.from({ length: 1001 }, (_, n) => ({ payload: { n } }));
    const res = await gql(app, { query: ADD_ITEMS, variables: { id, items }, token: owner.token });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(await datasetRow(app, id)).toMatchObject({ item_count: 0 });
  });

  it('refuses items once the dataset left DRAFT', async () => {
    const id = await draftWithItems();
    await credit(id, '5');
    await mutate(app, { op: 'publishDataset', id, token: owner.token });
    const res = await gql(app, {
      query: ADD_ITEMS,
      variables: { id, items: [{ payload: { t: 'late' } }] },
      token: owner.token,
    });
    expect(errorCode(res)).toBe('INVALID_TRANSITION');
    expect(await datasetRow(app, id)).toMatchObject({ item_count: 5 });
  });

  it('cancel keeps committed what work in flight may cost (a lease, a submission waiting for its verdict) and audits the unspent rest', async () => {
    const id = await draftWithItems();
    await credit(id, '8');
    await mutate(app, { op: 'publishDataset', id, token: owner.token });
    const items: { id: string }[] = await app.dataSource.query(
      'SELECT id FROM items WHERE dataset_id = $1 ORDER BY seq',
      [id],
    );
    const [task] = await app.dataSource.query(
      'INSERT INTO tasks (dataset_id, item_ids, slots, open_slots) VALUES ($1, $2, 2, 0) RETURNING id',
      [id, [items[0].id, items[1].id]],
    );
    const other = await signIn(app);
    const insert = `INSERT INTO assignments (task_id, dataset_id, worker_id, item_ids, gold_item_ids, status, expires_at) VALUES ($1, $2, $3, $4, $5, $6, now() + interval '10 minutes')`;
    await app.dataSource.query(insert, [
      task.id,
      id,
      labeler.id,
      [items[0].id, items[3].id, items[1].id],
      [items[3].id],
      'SUBMITTED',
    ]);
    await app.dataSource.query(insert, [task.id, id, other.id, [items[0].id, items[1].id], [], 'ACTIVE']);
    const res = await mutate(app, {
      op: 'cancelDataset',
      id,
      token: owner.token,
      fields: 'status budget committed spent refundable',
    });
    // 3 answers waiting for a verdict + 2 of a lease, at 0.5: 2.5; nothing refundable while they are in flight.
    expect(res.data.cancelDataset).toEqual({
      status: 'CANCELLED',
      budget: '8',
      committed: '2.5',
      spent: '0',
      refundable: '0',
    });
    const [audit] = await app.dataSource.query(
      `SELECT actor_id, data FROM audit_events WHERE subject = $1 AND action = 'dataset.cancel'`,
      [`dataset:${id}`],
    );
    expect(audit).toEqual({
      actor_id: owner.id,
      data: {
        budget: (8n * TOKEN).toString(),
        spent: '0',
        committed: ((25n * TOKEN) / 10n).toString(),
        disputeReserve: '0',
        unspent: ((55n * TOKEN) / 10n).toString(),
      },
    });
  });

  it('commits disputeReservePercent of the labeling cost on top as the dispute reserve, and keeps it committed when the dataset is cancelled', async () => {
    const id = await draftWithItems({ disputeReservePercent: 10 });
    await credit(id, '5.4');
    expect(
      (await mutate(app, { op: 'publishDataset', id, token: owner.token })).errors?.[0].extensions?.details,
    ).toEqual({ required: '5.5', available: '5.4', shortfall: '0.1', disputeReserve: '0.5' });
    await credit(id, '2');
    const published = await mutate(app, {
      op: 'publishDataset',
      id,
      token: owner.token,
      fields: 'status committed disputeReserve',
    });
    expect(published.data.publishDataset).toEqual({ status: 'OPEN', committed: '5.5', disputeReserve: '0.5' });
    // Nothing in flight: the labeling commitment is released, the reserve stays until the
    // appeal window is over (disputes/reserve-release.service.ts).
    const res = await mutate(app, {
      op: 'cancelDataset',
      id,
      token: owner.token,
      fields: 'status budget committed spent disputeReserve',
    });
    expect(res.data.cancelDataset).toEqual({
      status: 'CANCELLED',
      budget: '7.4',
      committed: '0.5',
      spent: '0',
      disputeReserve: '0.5',
    });
    const [audit] = await app.dataSource.query(
      `SELECT data FROM audit_events WHERE subject = $1 AND action = 'dataset.cancel'`,
      [`dataset:${id}`],
    );
    expect(audit.data).toEqual({
      budget: ((74n * TOKEN) / 10n).toString(),
      spent: '0',
      committed: (TOKEN / 2n).toString(),
      disputeReserve: (TOKEN / 2n).toString(),
      unspent: ((69n * TOKEN) / 10n).toString(),
    });
  });

  it('cancels a DRAFT dataset with nothing committed', async () => {
    const id = await draftWithItems();
    expect(
      (await mutate(app, { op: 'cancelDataset', id, token: owner.token, fields: 'status committed' })).data
        .cancelDataset,
    ).toEqual({ status: 'CANCELLED', committed: '0' });
  });

  describe('markCompletedIfDone', () => {
    it('completes an OPEN dataset once every regular item is labeled, exactly once, releasing the commitment', async () => {
      const lifecycle = app.app.get(DatasetLifecycleService);
      const id = await draftWithItems();
      await credit(id, '6');
      await mutate(app, { op: 'publishDataset', id, token: owner.token });
      expect(await lifecycle.markCompletedIfDone(id)).toBe(false);
      await app.dataSource.query(
        `UPDATE items SET status = 'LABELED' WHERE dataset_id = $1 AND NOT is_gold AND payload->>'t' IN ('a', 'b')`,
        [id],
      );
      expect(await lifecycle.markCompletedIfDone(id)).toBe(false);
      await app.dataSource.query(`UPDATE items SET status = 'RESOLVED' WHERE dataset_id = $1 AND payload->>'t' = 'c'`, [
        id,
      ]);
      await app.dataSource.query(
        `UPDATE datasets SET spent = spent + $2::numeric, committed = committed - $2::numeric WHERE id = $1`,
        [id, (4n * TOKEN).toString()],
      );
      const results = await Promise.all([
        lifecycle.markCompletedIfDone(id),
        lifecycle.markCompletedIfDone(id),
        lifecycle.markCompletedIfDone(id),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await datasetRow(app, id)).toMatchObject({
        status: 'COMPLETED',
        committed: '0',
        spent: (4n * TOKEN).toString(),
        budget: (6n * TOKEN).toString(),
      });
      const [audit] = await app.dataSource.query(
        `SELECT actor_id, data FROM audit_events WHERE subject = $1 AND action = 'dataset.complete'`,
        [`dataset:${id}`],
      );
      expect(audit).toEqual({
        actor_id: null,
        data: {
          budget: (6n * TOKEN).toString(),
          spent: (4n * TOKEN).toString(),
          committed: '0',
          disputeReserve: '0',
          unspent: (2n * TOKEN).toString(),
        },
      });
      expect(await lifecycle.markCompletedIfDone(id)).toBe(false);
    });

    it('never completes a DRAFT or cancelled dataset, or an unknown id', async () => {
      const lifecycle = app.app.get(DatasetLifecycleService);
      const id = await draftWithItems();
      await app.dataSource.query(`UPDATE items SET status = 'LABELED' WHERE dataset_id = $1 AND NOT is_gold`, [id]);
      expect(await lifecycle.markCompletedIfDone(id)).toBe(false);
      await mutate(app, { op: 'cancelDataset', id, token: owner.token });
      expect(await lifecycle.markCompletedIfDone(id)).toBe(false);
      expect(await lifecycle.markCompletedIfDone('00000000-0000-4000-8000-000000000000')).toBe(false);
      expect(await lifecycle.markCompletedIfDone('not-a-uuid')).toBe(false);
      expect((await datasetRow(app, id)).status).toBe('CANCELLED');
    });
  });

  describe('creditDatasetBudget', () => {
    it('adds to the budget with an audit entry naming the admin and the amount', async () => {
      const { id } = await createDataset(app, owner.token);
      await credit(id, '1.25');
      await credit(id, '0.75');
      expect(await datasetRow(app, id)).toMatchObject({ budget: (2n * TOKEN).toString() });
      const audits = await app.dataSource.query(
        `SELECT actor_id, data FROM audit_events WHERE subject = $1 AND action = 'dataset.credit' ORDER BY id`,
        [`dataset:${id}`],
      );
      expect(audits).toEqual([
        { actor_id: admin.id, data: { amount: ((125n * TOKEN) / 100n).toString() } },
        { actor_id: admin.id, data: { amount: ((75n * TOKEN) / 100n).toString() } },
      ]);
    });

    it('refuses a zero amount, an unknown dataset and a non-admin', async () => {
      const { id } = await createDataset(app, owner.token);
      expect(errorCode(await credit(id, '0'))).toBe('BAD_USER_INPUT');
      expect(errorCode(await credit('00000000-0000-4000-8000-000000000000', '1'))).toBe('NOT_FOUND');
      expect(errorCode(await credit(id, '1', owner.token))).toBe('FORBIDDEN');
      expect(await datasetRow(app, id)).toMatchObject({ budget: '0' });
    });
  });
});
