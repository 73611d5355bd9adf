import { errorCode, gql } from '../support/gql';
import { rawRequest } from '../support/raw-request';
import { signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';

describe('GraphQL request limits', () => {
  let app: TestApp;
  let user: SignedInUser;
  beforeAll(async () => {
    app = await startTestApp({ env: { SIGN_IN_RATE_LIMIT: '1000' } });
    user = await signIn(app);
  });
  afterAll(() => app.close());

  it('refuses a query 30 levels deep before running it', async () => {
    // Introspection types nest: __type { ofType { ofType ... } } gives arbitrary depth without a cycle in our schema.
    let selection = 'name';
    for (let i = 0; i < 30; i++) selection = `ofType { ${selection} }`;
    const res = await gql(app, { query: `{ __type(name: "Account") { ${selection} } me { id } }`, token: user.token });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.map((e) => e.message).join(' ')).toMatch(/depth/i);
    expect(res.data).toBeFalsy();
  });

  it('refuses a query of too many tokens', async () => {
    const fields = Array.from({ length: 1500 }, () => 'id address roles blocked').join(' ');
    const res = await gql(app, { query: `{ me { ${fields} } }`, token: user.token });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toMatch(/token/i);
    expect(res.data).toBeFalsy();
  });

  // Every field of a Dataset, nested objects included: the largest page the API documents.
  const FULL_DATASET =
    'id name status labelSchema answersPerItem maxAnswersPerItem itemsPerTask goldPerTask rewardPerAnswer depositKey budget committed spent progress { items goldItems tasks labeledItems answers activeAssignments } agreement { fleissKappa krippendorffAlpha meanConfidence }';

  it('accepts the documented page maximum: datasets(first: 500) with every field', async () => {
    const res = await gql(app, {
      query: `{ datasets(first: 500) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${FULL_DATASET} } } } }`,
      token: user.token,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.datasets.totalCount).toEqual(expect.any(Number));
  });

  it.each([
    [
      'two maximal pages in one request',
      `{ a: datasets(first: 500) { edges { node { ${FULL_DATASET} } } } b: datasets(first: 500) { edges { node { ${FULL_DATASET} } } } }`,
      {},
    ],
    [
      'fifteen small pages of 500',
      `{ ${Array.from({ length: 15 }, (_, i) => `p${i}: datasets(first: 500) { edges { node { id } } }`).join(' ')} }`,
      {},
    ],
    [
      'pages sized by a variable, counted at the maximum',
      `query($n: Int) { a: datasets(first: $n) { edges { node { ${FULL_DATASET} } } } b: datasets(first: $n) { edges { node { ${FULL_DATASET} } } } }`,
      { n: 1 },
    ],
  ])('refuses on cost, before any other limit: %s', async (_name, query, variables) => {
    // Within the token, alias and depth limits: the cost limit is the one that trips.
    expect(query.match(/[A-Za-z_$][\w]*|[{}():!$]/g)!.length).toBeLessThan(2000);
    const res = await gql(app, { query, variables, token: user.token });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toMatch(/^Query cost \d+ is over the limit of 20000/);
    expect(res.data).toBeFalsy();
  });

  it('refuses alias flooding', async () => {
    const aliases = Array.from({ length: 50 }, (_, i) => `a${i}: me { id }`).join(' ');
    const res = await gql(app, { query: `{ ${aliases} }`, token: user.token });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  it('answers a malformed JSON body with a clear 400 and code', async () => {
    const res = await app.http
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${user.token}`)
      .send('{"query": "{ me { id } ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js|SyntaxError/);
  });

  describe('request bodies (1 MiB at most)', () => {
    const LIMIT = 1024 * 1024;
    // A POST /graphql whose body goes out in the given pieces (chunked unless a length is given).
    const post = (
      pieces: Buffer[],
      headers: Record<string, string | number> = { 'transfer-encoding': 'chunked' },
    ): Promise<{ status: number; body: string }> => {
      const { req, response } = rawRequest(app, {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}`, ...headers },
      });
      for (const piece of pieces) req.write(piece);
      req.end();
      return response;
    };

    it('reads a body sent in many pieces, a character split across two of them', async () => {
      // Every "€" is three bytes; pieces of five bytes cut most of them in two.
      const body = Buffer.from(JSON.stringify({ query: '{ datasets(first: "€€€€€€€€") { totalCount } }' }));
      const pieces = Array.from({ length: Math.ceil(body.length / 5) }, (_, i) => body.subarray(i * 5, i * 5 + 5));
      const res = await post(pieces);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).errors[0].message).toContain('"€€€€€€€€"');
    });

    it('answers 413 to a body announced over the limit, reading none of it', async () => {
      const res = await post([], { 'content-length': LIMIT + 1 });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('answers 413 once a chunked body passes the limit, and serves the next request', async () => {
      const piece = Buffer.alloc(64 * 1024, 0x20); // JSON whitespace
      const res = await post([Buffer.from('{"query": "{ me { id } }"'), ...Array.from({ length: 17 }, () => piece)]);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).error.code).toBe('PAYLOAD_TOO_LARGE');
      const next = await gql(app, { query: '{ me { id } }', token: user.token });
      expect(next.data.me.id).toBe(user.id);
    });

    it('accepts a body of exactly the limit', async () => {
      const head = Buffer.from('{"query": "{ me { id } }"');
      const tail = Buffer.from('}');
      const padding = Buffer.alloc(LIMIT - head.length - tail.length, 0x20);
      const res = await post([head, padding, tail]);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).data.me.id).toBe(user.id);
    });
  });

  it('answers a GraphQL syntax error with BAD_USER_INPUT', async () => {
    const res = await gql(app, { query: '{ me { id ', token: user.token });
    expect({ status: res.status, code: errorCode(res) }).toEqual({ status: 400, code: 'BAD_USER_INPUT' });
  });

  it.each([
    ['a JSON-encoded syntax tree', JSON.stringify({ kind: 'Document', definitions: [] })],
    ['a JSON number', '5'],
    ['an empty object', '{}'],
  ])('refuses %s as the query (GraphQL text only) with BAD_USER_INPUT, not a server error', async (_what, query) => {
    const res = await gql(app, { query, token: user.token });
    expect({ status: res.status, code: errorCode(res) }).toEqual({ status: 400, code: 'BAD_USER_INPUT' });
  });

  it('rate-limits sign-in attempts per client', async () => {
    const limited = await startTestApp({ env: { SIGN_IN_RATE_LIMIT: '3' } });
    try {
      const results = [];
      for (let i = 0; i < 5; i++)
        results.push(
          await gql(limited, {
            query: 'mutation { requestSignInNonce(address: "0x0000000000000000000000000000000000000001") }',
          }),
        );
      expect(results.slice(0, 3).every((r) => typeof r.data?.requestSignInNonce === 'string')).toBe(true);
      expect(results.slice(3).map(errorCode)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    } finally {
      await limited.close();
    }
  });

  describe('client IP behind proxies (TRUSTED_PROXIES)', () => {
    const NONCE = 'mutation { requestSignInNonce(address: "0x0000000000000000000000000000000000000001") }';
    const askFrom = async (target: TestApp, forwardedFor: string): Promise<string | undefined> => {
      const res = await target.http
        .post('/graphql')
        .set('content-type', 'application/json')
        .set('x-forwarded-for', forwardedFor)
        .send({ query: NONCE });
      return (
        res.body.errors?.[0]?.extensions?.code ??
        (typeof res.body.data?.requestSignInNonce === 'string' ? 'OK' : 'NO ANSWER')
      );
    };

    it('gives each client behind a trusted proxy its own sign-in bucket', async () => {
      // The test client connects from loopback, so here it plays the load balancer.
      const behindProxy = await startTestApp({ env: { SIGN_IN_RATE_LIMIT: '2', TRUSTED_PROXIES: '127.0.0.1/32' } });
      try {
        const a = [
          await askFrom(behindProxy, '203.0.113.1'),
          await askFrom(behindProxy, '203.0.113.1'),
          await askFrom(behindProxy, '203.0.113.1'),
        ];
        expect(a).toEqual(['OK', 'OK', 'RATE_LIMITED']);
        expect(await askFrom(behindProxy, '198.51.100.7, 203.0.113.1')).toBe('RATE_LIMITED'); // the nearest hop is the client
        expect(await askFrom(behindProxy, '203.0.113.2')).toBe('OK');
      } finally {
        await behindProxy.close();
      }
    });

    it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
      const direct = await startTestApp({ env: { SIGN_IN_RATE_LIMIT: '2', TRUSTED_PROXIES: '10.1.2.3' } });
      try {
        const answers = [
          await askFrom(direct, '203.0.113.1'),
          await askFrom(direct, '203.0.113.2'),
          await askFrom(direct, '203.0.113.3'),
        ];
        expect(answers).toEqual(['OK', 'OK', 'RATE_LIMITED']);
      } finally {
        await direct.close();
      }
    });
  });
});
