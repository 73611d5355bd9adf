import { startTestChain } from '../chain/test-chain';
import { gql } from '../support/gql';
import { signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';

describe('health, metrics and GraphiQL', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('answers live without authentication', async () => {
    const res = await app.http.get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('checks PostgreSQL and Redis when ready', async () => {
    const res = await app.http.get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ postgres: { status: 'up' }, redis: { status: 'up' } });
  });

  it('reports a dead dependency as 503 with the failing check named', async () => {
    const broken = await startTestApp({
      chain: {
        rpcUrl: 'http://127.0.0.1:1',
        chainId: 31337,
        tokenAddress: '0x' + '1'.repeat(40),
        vaultAddress: '0x' + '2'.repeat(40),
        signerKey: '0x' + 'a'.repeat(64),
        confirmations: 1,
        isDevChain: false,
        tokenDecimals: 18,
      },
    });
    try {
      const res = await broken.http.get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body.checks.postgres.status).toBe('up');
      expect(res.body.checks.chain.status).toBe('down');
    } finally {
      await broken.close();
    }
  });

  it('serves Prometheus metrics including request durations', async () => {
    await app.http.get('/health/live');
    const res = await app.http.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/^labelchain_http_request_duration_seconds_count\{.*\} \d+/m);
    expect(res.text).toMatch(/^labelchain_process_cpu_user_seconds_total /m);
  });

  it('counts each request under its own method, route template and status', async () => {
    const count = async (labels: string): Promise<number> => {
      const text = (await app.http.get('/metrics')).text;
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`labelchain_http_request_duration_seconds_count{${labels}}`));
      return line === undefined ? 0 : Number(line.split(' ').pop());
    };
    const live = 'method="GET",route="/health/live",status="200"';
    const missing = 'method="GET",route="unmatched",status="404"';
    const [liveBefore, missingBefore] = [await count(live), await count(missing)];
    await app.http.get('/health/live');
    await app.http.get('/health/live');
    await app.http.get('/no-such-route');
    expect(await count(live)).toBe(liveBefore + 2);
    expect(await count(missing)).toBe(missingBefore + 1);
  });

  it('echoes a given request id and invents one otherwise', async () => {
    const given = await app.http.get('/health/live').set('x-request-id', 'req-123');
    expect(given.status).toBe(200);
    expect(given.headers['x-request-id']).toBe('req-123');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const invented = await app.http.get('/health/live');
    expect(invented.headers['x-request-id']).toMatch(uuid);
    // Not a header-injection or log-forging vector: anything odd is replaced by an invented id
    // (the header is still there: a missing one would also differ from the odd value).
    const odd = await app.http.get('/health/live').set('x-request-id', 'a b<script>');
    expect(odd.headers['x-request-id']).toMatch(uuid);
    expect(odd.headers['x-request-id']).not.toBe(invented.headers['x-request-id']);
  });

  it("puts helmet's security headers on every kind of response", async () => {
    const expected = {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    };
    const responses = [
      await app.http.post('/graphql').set('content-type', 'application/json').send({ query: '{ __typename }' }),
      await app.http.get('/health/live'),
      await app.http.get('/no-such-route'),
      await app.http.post('/graphql').set('content-type', 'application/json').send('{'),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 400]);
    for (const res of responses) {
      expect(res.headers).toMatchObject(expected);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('serves an offline GraphiQL page whose assets all load locally', async () => {
    const page = await app.http.get('/graphiql');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="graphiql">');
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets).toHaveLength(4);
    for (const asset of assets) {
      expect(asset.startsWith('/graphiql/assets/')).toBe(true);
      const res = await app.http.get(asset);
      expect(res.status).toBe(200);
      expect(Number(res.headers['content-length'] ?? res.text?.length ?? 0)).toBeGreaterThan(1000);
    }
    expect((await app.http.get('/graphiql/assets/..%2Fpackage.json')).status).toBe(404);
  });

  it('opens GraphiQL on a Labelchain query that runs once a token is given, with the way to get one', async () => {
    const page = (await app.http.get('/graphiql')).text;
    const defaultQuery = /defaultQuery: ("(?:[^"\\]|\\.)*")/.exec(page);
    expect(defaultQuery).not.toBeNull();
    const query = JSON.parse(defaultQuery![1]) as string;
    expect(query).toContain('node examples/sign-in.mjs');
    expect(query).toContain('{"Authorization": "Bearer <the token>"}');
    const chain = await startTestChain();
    const withChain = await startTestApp({ role: 'api', chain: chain.settings });
    try {
      const user = await signIn(withChain);
      const res = await gql(withChain, { query, token: user.token });
      expect(res.errors).toBeUndefined();
      expect(res.data.chainInfo).toMatchObject({ chainId: 31337, rpcUrl: chain.settings.rpcUrl, isDevChain: true });
      expect(res.data.me).toEqual({ id: user.id, address: user.address, roles: ['LABELER'] });
      expect(res.data.datasets.totalCount).toEqual(expect.any(Number));
    } finally {
      await withChain.close();
      await chain.close();
    }
  });
});
