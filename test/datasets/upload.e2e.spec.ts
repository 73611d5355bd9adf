import { Role } from '../../src/auth/role';
import { BATCH_ROWS } from '../../src/datasets/item-ingest.service';
import { gql } from '../support/gql';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  createDataset,
  datasetRow,
  itemCount,
  itemsOf,
  ndjson,
  streamingUpload,
  until,
  upload,
} from './dataset-fixtures';

describe('POST /datasets/:id/items', () => {
  let app: TestApp;
  let owner: SignedInUser;
  let other: SignedInUser;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '1000' } });
    owner = await signInAs(app, [Role.LABELER, Role.REQUESTER]);
    other = await signInAs(app, [Role.LABELER, Role.REQUESTER]);
  });
  afterAll(() => app.close());

  const storedItems = (id: string) =>
    app.dataSource.query(
      `SELECT external_id, payload, is_gold, gold_label, status FROM items WHERE dataset_id = $1 ORDER BY seq`,
      [id],
    );

  it('streams NDJSON items in order, gold included, and keeps the counters', async () => {
    const { id } = await createDataset(app, owner.token);
    const body = ndjson([
      { externalId: 'a', payload: { text: 'first' } },
      { payload: { text: 'no id' } },
      { externalId: 'g', payload: { text: 'gold' }, goldLabel: 'dog' },
    ]);
    const res = await upload(app, { id, token: owner.token, body });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ inserted: 3, duplicates: 0, rejected: [], rejectedCount: 0 });
    expect(await storedItems(id)).toEqual([
      { external_id: 'a', payload: { text: 'first' }, is_gold: false, gold_label: null, status: 'PENDING' },
      { external_id: null, payload: { text: 'no id' }, is_gold: false, gold_label: null, status: 'PENDING' },
      { external_id: 'g', payload: { text: 'gold' }, is_gold: true, gold_label: 'dog', status: 'PENDING' },
    ]);
    expect(await datasetRow(app, id)).toMatchObject({ item_count: 3, gold_item_count: 1 });
  });

  it('stores payload numbers exactly as uploaded, beyond what a JS number holds', async () => {
    const { id } = await createDataset(app, owner.token);
    const res = await upload(app, {
      id,
      token: owner.token,
      body: '{"externalId":"big","payload":{"tweetId":12345678901234567890,"ratio":0.1000000000000000055511151231257827}}\n',
    });
    expect(res.body.inserted).toBe(1);
    const [row] = await app.dataSource.query(
      `SELECT payload->>'tweetId' AS tweet, payload->>'ratio' AS ratio FROM items WHERE dataset_id = $1`,
      [id],
    );
    expect(row).toEqual({ tweet: '12345678901234567890', ratio: '0.1000000000000000055511151231257827' });
  });

  it('streams CSV: external_id and gold_label are special, other columns become payload fields', async () => {
    const { id } = await createDataset(app, owner.token, {
      labelSchema: { kind: 'MULTI_CHOICE', classes: ['red', 'green', 'blue'] },
    });
    const body = [
      'external_id,text,url,gold_label',
      'c1,"hello, world",http://x/1,',
      'c2,"say ""hi""",http://x/2,blue|red',
      'c3,plain,http://x/3,"[""green""]"',
      '',
      'c4,multi',
      'c5,"line one',
      'line two",http://x/5,',
    ].join('\r\n');
    const res = await upload(app, { id, token: owner.token, body, type: 'text/csv; charset=utf-8' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      inserted: 4,
      duplicates: 0,
      rejected: [{ line: 6, code: 'INVALID_CSV', message: expect.stringContaining('columns') }],
      rejectedCount: 1,
    });
    expect(await storedItems(id)).toEqual([
      {
        external_id: 'c1',
        payload: { text: 'hello, world', url: 'http://x/1' },
        is_gold: false,
        gold_label: null,
        status: 'PENDING',
      },
      {
        external_id: 'c2',
        payload: { text: 'say "hi"', url: 'http://x/2' },
        is_gold: true,
        gold_label: ['red', 'blue'],
        status: 'PENDING',
      },
      {
        external_id: 'c3',
        payload: { text: 'plain', url: 'http://x/3' },
        is_gold: true,
        gold_label: ['green'],
        status: 'PENDING',
      },
      {
        external_id: 'c5',
        payload: { text: 'line one\r\nline two', url: 'http://x/5' },
        is_gold: false,
        gold_label: null,
        status: 'PENDING',
      },
    ]);
  });

  it('refuses a CSV whose header has no payload column', async () => {
    const { id } = await createDataset(app, owner.token);
    const res = await upload(app, {
      id,
      token: owner.token,
      body: 'external_id,gold_label\na,cat\n',
      type: 'text/csv',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_USER_INPUT');
    expect(await itemCount(app, id)).toBe(0);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['SINGLE_CHOICE', { labelSchema: { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog'] } }, '"cow"', '"cat"'],
    ['MULTI_CHOICE', { labelSchema: { kind: 'MULTI_CHOICE', classes: ['a', 'b'] } }, '["a","a"]', '["b","a"]'],
    ['FREE_TEXT', { labelSchema: { kind: 'FREE_TEXT' } }, '"   "', '"Paris"'],
    ['RATING', { labelSchema: { kind: 'RATING', min: 1, max: 5 } }, '7', '2.5'],
  ])('keeps the good lines and reports each bad one (%s)', async (_kind, overrides, badGold, goodGold) => {
    const { id } = await createDataset(app, owner.token, overrides);
    const lines = [
      '{"externalId":"ok-1","payload":{"t":1}}',
      '{"externalId":"broken","payload":{"t":2}',
      '{"externalId":"no-payload"}',
      '{"externalId":"string-payload","payload":"text"}',
      `{"externalId":"bad-gold","payload":{"t":3},"goldLabel":${badGold}}`,
      '   ',
      `{"externalId":"good-gold","payload":{"t":4},"goldLabel":${goodGold}}`,
      '[1,2,3]',
      `{"externalId":"${'x'.repeat(300)}","payload":{}}`,
      '{"payload":{"t":5},"label":"cat"}',
    ];
    const res = await upload(app, { id, token: owner.token, body: lines.join('\n') });
    expect(res.status).toBe(200);
    expect(res.body.inserted).toBe(2);
    expect(res.body.rejected).toEqual([
      { line: 2, code: 'INVALID_JSON', message: expect.any(String) },
      { line: 3, code: 'INVALID_PAYLOAD', message: expect.any(String) },
      { line: 4, code: 'INVALID_PAYLOAD', message: expect.any(String) },
      { line: 5, code: 'INVALID_LABEL', message: expect.stringContaining('goldLabel') },
      { line: 8, code: 'INVALID_ITEM', message: expect.any(String) },
      { line: 9, code: 'INVALID_EXTERNAL_ID', message: expect.any(String) },
      { line: 10, code: 'INVALID_ITEM', message: expect.stringContaining('label') },
    ]);
    expect(res.body.rejectedCount).toBe(7);
    expect((await storedItems(id)).map((i: { external_id: string }) => i.external_id)).toEqual(['ok-1', 'good-gold']);
  });

  it('rejects lines PostgreSQL could not store (NUL, unpaired surrogates) without failing their batch', async () => {
    const { id } = await createDataset(app, owner.token);
    const lines = [
      '{"externalId":"ok-a","payload":{"t":"fine"}}',
      '{"externalId":"nul","payload":{"t":"a\\u0000b"}}',
      '{"externalId":"sur","payload":{"t":"\\ud800"}}',
      '{"externalId":"ok-b","payload":{"t":"😀 \\ud83d\\ude00"}}',
    ];
    const res = await upload(app, { id, token: owner.token, body: lines.join('\n') });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      inserted: 2,
      rejected: [
        { line: 2, code: 'INVALID_PAYLOAD' },
        { line: 3, code: 'INVALID_PAYLOAD' },
      ],
    });
    expect((await storedItems(id)).map((i: { payload: { t: string } }) => i.payload.t)).toEqual(['fine', '😀 😀']);
  });

  it('rejects by line number what passes validation but PostgreSQL refuses, keeping the rest of the batch in order', async () => {
    const { id } = await createDataset(app, owner.token);
    const good = itemsOf(BATCH_ROWS + 10, 'ok').map((item) => JSON.stringify(item));
    const lines = [...good];
    lines.splice(1, 0, '{"externalId":"huge","payload":{"n":1e999999}}'); // line 2: beyond numeric's range
    lines.splice(3000, 0, '{"externalId":"tiny","payload":{"n":[1, -1e-999999]}}'); // line 3001
    const body = Buffer.concat([
      Buffer.from(lines.join('\n') + '\n'),
      Buffer.from('{"externalId":"latin1","payload":{"t":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}}\n'),
    ]);
    const res = await upload(app, { id, token: owner.token, body });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      inserted: good.length,
      duplicates: 0,
      rejected: [
        { line: 2, code: 'INVALID_PAYLOAD', message: expect.stringContaining('PostgreSQL') },
        { line: 3001, code: 'INVALID_PAYLOAD', message: expect.stringContaining('PostgreSQL') },
        { line: lines.length + 1, code: 'INVALID_JSON', message: expect.stringContaining('UTF-8') },
      ],
      rejectedCount: 3,
    });
    const stored: { external_id: string }[] = await app.dataSource.query(
      'SELECT external_id FROM items WHERE dataset_id = $1 ORDER BY seq',
      [id],
    );
    expect(stored.map((r) => r.external_id)).toEqual(good.map((line) => JSON.parse(line).externalId));
  });

  it.each([
    ['NDJSON', 'application/x-ndjson', '{"externalId":"a","payload":{"t":1}}{"externalId":"b","payload":{"t":2}}'],
    ['CSV', 'text/csv', 'external_id,text,gold_labela,first,b,second,'],
    ['CSV (header only)', 'text/csv', 'external_id,text'],
  ])(
    'answers NEWLINES_STRIPPED for a %s body whose line breaks were stripped (curl -d) and stores nothing',
    async (_format, type, body) => {
      const { id } = await createDataset(app, owner.token);
      const res = await upload(app, { id, token: owner.token, body, type });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'NEWLINES_STRIPPED',
        message: expect.stringMatching(/--data-binary .*-T/),
      });
      expect(await itemCount(app, id)).toBe(0);
    },
  );

  it('takes a one-line body without a trailing line break as one item', async () => {
    const { id } = await createDataset(app, owner.token);
    expect(
      (await upload(app, { id, token: owner.token, body: '{"externalId":"only","payload":{"t":"a}{b"}}' })).body,
    ).toMatchObject({ inserted: 1, rejectedCount: 0 });
    expect(
      (await upload(app, { id, token: owner.token, body: 'external_id,text\r\nsolo,hello', type: 'text/csv' })).body,
    ).toMatchObject({ inserted: 1, rejectedCount: 0 });
  });

  it('inserts nothing new when the same external ids are uploaded again, within a file or across uploads', async () => {
    const { id } = await createDataset(app, owner.token);
    const first = await upload(app, { id, token: owner.token, body: ndjson([...itemsOf(10), itemsOf(1)[0]]) });
    expect(first.body).toMatchObject({ inserted: 10, duplicates: 1 });
    const again = await upload(app, { id, token: owner.token, body: ndjson(itemsOf(15)) });
    expect(again.body).toMatchObject({ inserted: 5, duplicates: 10 });
    expect(await itemCount(app, id)).toBe(15);
    expect(await datasetRow(app, id)).toMatchObject({ item_count: 15 });
  });

  it('completes exactly once when an interrupted upload is retried', async () => {
    const { id } = await createDataset(app, owner.token);
    const total = BATCH_ROWS * 2 + 500;
    const lines = ndjson(itemsOf(total, 'retry')).split(/(?<=\n)/);
    const { req, response } = streamingUpload(app, { id, token: owner.token });
    response.catch(() => undefined);
    req.write(lines.slice(0, BATCH_ROWS + 100).join(''));
    await until(async () => (await itemCount(app, id)) >= BATCH_ROWS);
    req.destroy();
    await until(
      async () =>
        (
          await app.dataSource.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%WITH ins AS%' AND state = 'active' AND pid <> pg_backend_pid()`,
          )
        )[0].n === 0,
    );
    const kept = await itemCount(app, id);
    expect(kept).toBeGreaterThanOrEqual(BATCH_ROWS);
    expect(kept).toBeLessThan(total);

    const retry = await upload(app, { id, token: owner.token, body: lines.join('') });
    expect(retry.status).toBe(200);
    expect(retry.body.inserted + retry.body.duplicates).toBe(total);
    expect(retry.body.duplicates).toBe(kept);
    expect(await itemCount(app, id)).toBe(total);
    expect(await datasetRow(app, id)).toMatchObject({ item_count: total });
    const [{ n }] = await app.dataSource.query(
      `SELECT count(DISTINCT external_id)::int AS n FROM items WHERE dataset_id = $1`,
      [id],
    );
    expect(n).toBe(total);
  });

  it('stops an upload whose dataset is published midway: later batches roll back, the commitment matches what is stored', async () => {
    const admin = await signInAs(app, [Role.ADMIN, Role.LABELER]);
    const { id } = await createDataset(app, owner.token, {
      answersPerItem: 1,
      itemsPerTask: 1000,
      rewardPerAnswer: '1',
    });
    await gql(app, {
      query: 'mutation($id: ID!) { creditDatasetBudget(datasetId: $id, amount: "100000") { id } }',
      variables: { id },
      token: admin.token,
    });
    const lines = ndjson(itemsOf(BATCH_ROWS * 2 + 10, 'race')).split(/(?<=\n)/);
    const { req, response } = streamingUpload(app, { id, token: owner.token });
    req.write(lines.slice(0, BATCH_ROWS + 10).join(''));
    await until(async () => (await itemCount(app, id)) >= BATCH_ROWS);
    const published = await gql(app, {
      query: 'mutation($id: ID!) { publishDataset(id: $id) { status committed } }',
      variables: { id },
      token: owner.token,
    });
    // What is stored, one answer each at 1 token, plus the 10% dispute reserve.
    expect(published.data.publishDataset).toEqual({ status: 'OPEN', committed: String(BATCH_ROWS * 1.1) });
    req.end(lines.slice(BATCH_ROWS + 10).join(''));
    const res = await response;
    expect(res.status).toBe(409);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'INVALID_TRANSITION', details: { inserted: BATCH_ROWS } });
    expect(await itemCount(app, id)).toBe(BATCH_ROWS);
    expect(await datasetRow(app, id)).toMatchObject({ item_count: BATCH_ROWS, status: 'OPEN' });
  });

  it('answers 415 for another content type and reads nothing', async () => {
    const { id } = await createDataset(app, owner.token);
    // application/json is refused whatever the body holds: NDJSON (not one JSON value) or a JSON array.
    for (const [type, body] of [
      ['application/json', ndjson(itemsOf(2))],
      ['application/json', JSON.stringify(itemsOf(2))],
      ['text/plain', ndjson(itemsOf(2))],
      ['application/octet-stream', ndjson(itemsOf(2))],
    ]) {
      const res = await upload(app, { id, token: owner.token, body, type });
      expect({ type, status: res.status, body: res.body }).toEqual({
        type,
        status: 415,
        body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.any(String) } },
      });
    }
    expect(await itemCount(app, id)).toBe(0);
  });

  it('refuses other accounts (404 for an invisible draft), unauthenticated calls and non-DRAFT datasets', async () => {
    const { id } = await createDataset(app, owner.token);
    const body = ndjson(itemsOf(2));
    expect((await upload(app, { id, token: other.token, body })).body).toEqual({
      error: { code: 'NOT_FOUND', message: 'Dataset not found' },
    });
    const labeler = await signIn(app);
    expect((await upload(app, { id, token: labeler.token, body })).status).toBe(404);
    expect(
      (await app.http.post(`/datasets/${id}/items`).set('content-type', 'application/x-ndjson').send(body)).status,
    ).toBe(401);
    expect((await upload(app, { id: 'not-a-uuid', token: owner.token, body })).status).toBe(404);
    await app.dataSource.query(`UPDATE datasets SET status = 'OPEN' WHERE id = $1`, [id]);
    expect((await upload(app, { id, token: other.token, body })).status).toBe(403);
    const open = await upload(app, { id, token: owner.token, body });
    expect(open.status).toBe(409);
    expect(open.body.error.code).toBe('INVALID_TRANSITION');
    expect(await itemCount(app, id)).toBe(0);
  });
});

describe('POST /datasets/:id/items limits', () => {
  let app: TestApp;
  let owner: SignedInUser;
  beforeAll(async () => {
    app = await startTestApp({
      role: 'api',
      env: { SIGN_IN_RATE_LIMIT: '1000', UPLOAD_MAX_BYTES: '4096', UPLOAD_MAX_LINE_BYTES: '256' },
    });
    owner = await signInAs(app, [Role.LABELER, Role.REQUESTER]);
  });
  afterAll(() => app.close());

  it('rejects a line over UPLOAD_MAX_LINE_BYTES as LINE_TOO_LARGE and keeps the rest', async () => {
    const { id } = await createDataset(app, owner.token);
    const body = ndjson([
      { externalId: 'small', payload: { t: 1 } },
      { externalId: 'big', payload: { t: 'x'.repeat(300) } },
      { externalId: 'after', payload: { t: 2 } },
    ]);
    const res = await upload(app, { id, token: owner.token, body });
    expect(res.body).toEqual({
      inserted: 2,
      duplicates: 0,
      rejected: [{ line: 2, code: 'LINE_TOO_LARGE', message: expect.stringContaining('256') }],
      rejectedCount: 1,
    });
  });

  it('refuses a CSV record over UPLOAD_MAX_LINE_BYTES with 413', async () => {
    const { id } = await createDataset(app, owner.token);
    const res = await upload(app, {
      id,
      token: owner.token,
      body: `text\nshort\n"${'y'.repeat(400)}"\n`,
      type: 'text/csv',
    });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('line 3') });
  });

  it('answers 413 to a body over UPLOAD_MAX_BYTES announced by content-length, reading nothing', async () => {
    const { id } = await createDataset(app, owner.token);
    const res = await upload(app, { id, token: owner.token, body: ndjson(itemsOf(200)) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await itemCount(app, id)).toBe(0);
  });

  it('answers 413 once a chunked body passes UPLOAD_MAX_BYTES', async () => {
    const { id } = await createDataset(app, owner.token);
    const { req, response } = streamingUpload(app, { id, token: owner.token });
    req.end(ndjson(itemsOf(200)));
    const res = await response;
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { inserted: 0 } });
    expect(await itemCount(app, id)).toBe(0);
  });
});
