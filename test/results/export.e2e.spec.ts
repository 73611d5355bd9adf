import type { Response } from 'superagent';
import { Role } from '../../src/auth/role';
import {
  acceptAnswers,
  consensusService,
  createConsensusDataset,
  createWorkers,
  type ConsensusFixture,
} from '../consensus/fixtures';
import { createOpenDataset } from '../support/fixtures';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { MV_TWO_OF_THREE } from '../support/tiny-crowds';

// Collects the streamed body as text whatever the content type.
function text(res: Response, done: (error: Error | null, body: string) => void): void {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => done(null, body));
}

describe('GET /datasets/:id/export', () => {
  let app: TestApp;
  let owner: SignedInUser, otherRequester: SignedInUser, labeler: SignedInUser, admin: SignedInUser;
  let d: ConsensusFixture;

  const exportAs = (params: { id?: string; format?: string; token?: string }) => {
    const query = params.format === undefined ? '' : `?format=${encodeURIComponent(params.format)}`;
    const req = app.http
      .get(`/datasets/${params.id ?? d.datasetId}/export${query}`)
      .buffer(true)
      .parse(text);
    return params.token ? req.set('authorization', `Bearer ${params.token}`) : req;
  };

  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '1000' } });
    [owner, otherRequester, admin, labeler] = await Promise.all([
      signInAs(app, [Role.REQUESTER]),
      signInAs(app, [Role.REQUESTER]),
      signInAs(app, [Role.ADMIN]),
      signIn(app),
    ]);
    // Tasks of 2 items (r1 + r2, then r3), each assignment with the one gold item.
    d = await createConsensusDataset(app.dataSource, {
      items: 3,
      gold: 1,
      itemsPerTask: 2,
      goldPerTask: 1,
      aggregation: 'MAJORITY_VOTE',
      goldLabel: () => 'bird',
    });
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [d.datasetId, owner.id]);
    await app.dataSource.query(`UPDATE items SET external_id = 'has,comma "quoted"' WHERE id = $1`, [d.regularIds[1]]);
    const workers = await createWorkers(app.dataSource, 3);
    const answers: [string, string, string][] = [];
    for (const [k, w] of workers.entries()) {
      answers.push([d.regularIds[0], w, k < 2 ? 'dog' : 'cat'], [d.regularIds[1], w, 'cat'], [d.goldIds[0], w, 'cat']);
    }
    await acceptAnswers(app.dataSource, { datasetId: d.datasetId, answers });
    await consensusService(app.dataSource).aggregateDataset(d.datasetId);
  });
  afterAll(() => app.close());

  it('streams one JSON line per regular item (the default format), never a gold item', async () => {
    for (const format of [undefined, 'jsonl']) {
      const res = await exportAs({ format, token: owner.token });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="dataset-${d.datasetId}.jsonl"`);
      // Written past Fastify (hijacked), it still carries the request id and the security headers.
      expect(res.headers).toMatchObject({ 'x-request-id': expect.any(String), 'x-frame-options': 'SAMEORIGIN' });
      const lines = (res.body as string).split('\n');
      expect(lines.pop()).toBe('');
      const rows = lines.map((l) => JSON.parse(l));
      expect(rows).toHaveLength(3);
      expect(rows[0]).toEqual({
        externalId: 'r1',
        label: 'dog',
        confidence: expect.closeTo(MV_TWO_OF_THREE, 11),
        answers: 3,
        status: 'LABELED',
        method: 'MAJORITY_VOTE',
        itemId: d.regularIds[0],
      });
      expect(rows[1]).toMatchObject({ externalId: 'has,comma "quoted"', label: 'cat', confidence: 1 });
      expect(rows[2]).toEqual({
        externalId: 'r3',
        label: null,
        confidence: null,
        answers: 0,
        status: 'PENDING',
        method: null,
        itemId: d.regularIds[2],
      });
      expect(res.body).not.toContain(d.goldIds[0]);
      expect(res.body).not.toContain('bird');
    }
  });

  it('streams CSV with a header row and RFC 4180 quoting', async () => {
    const res = await exportAs({ format: 'csv', token: admin.token });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect((res.body as string).split('\r\n')).toEqual([
      'externalId,label,confidence,answers,status,method,itemId',
      `r1,dog,${MV_TWO_OF_THREE.toFixed(12)},3,LABELED,MAJORITY_VOTE,${d.regularIds[0]}`, // stored rounded to 12 decimals
      `"has,comma ""quoted""",cat,1,3,LABELED,MAJORITY_VOTE,${d.regularIds[1]}`,
      `r3,,,0,PENDING,,${d.regularIds[2]}`,
      '',
    ]);
  });

  it('refuses a format other than jsonl or csv with 400', async () => {
    const res = await app.http
      .get(`/datasets/${d.datasetId}/export?format=xml`)
      .set('authorization', `Bearer ${owner.token}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['a labeler', () => labeler.token, 403, 'FORBIDDEN'],
    ['another requester', () => otherRequester.token, 403, 'FORBIDDEN'],
    ['nobody signed in', () => undefined, 401, 'UNAUTHENTICATED'],
  ])('refuses %s without sending a row', async (_who, token, status, code) => {
    const res = await app.http
      .get(`/datasets/${d.datasetId}/export?format=csv`)
      .set(token() ? { authorization: `Bearer ${token()}` } : {});
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.text).not.toContain('r1');
  });

  it.each([
    ['an unknown dataset', '00000000-0000-4000-8000-000000000000'],
    ['a malformed id', 'nope'],
  ])('answers 404 for %s', async (_what, id) => {
    const res = await app.http.get(`/datasets/${id}/export`).set('authorization', `Bearer ${owner.token}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('streams a 50,000-item dataset completely, in upload order', async () => {
    const big = await createOpenDataset(app.dataSource, { items: 50_000 });
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [big.datasetId, owner.id]);
    await app.dataSource.query(
      `INSERT INTO item_results (item_id, dataset_id, label, confidence, answers, method)
       SELECT id, dataset_id, '"cat"', 0.9, 3, 'DAWID_SKENE' FROM items WHERE dataset_id = $1 AND seq % 2 = 0`,
      [big.datasetId],
    );
    const csv = await exportAs({ id: big.datasetId, format: 'csv', token: owner.token });
    const lines = (csv.body as string).split('\r\n');
    expect(lines).toHaveLength(50_002); // header + rows + the empty string after the last CRLF
    expect(lines[1].startsWith('r1,')).toBe(true);
    expect(lines[50_000].startsWith('r50000,')).toBe(true);
    expect(lines.filter((l) => l.includes(',cat,0.9,3,LABELED,') || l.includes(',cat,0.9,3,PENDING,'))).toHaveLength(
      25_000,
    );
    const jsonl = await exportAs({ id: big.datasetId, token: owner.token });
    expect((jsonl.body as string).split('\n')).toHaveLength(50_001);
  });
});
