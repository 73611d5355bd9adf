import { Role } from '../../src/auth/role';
import { canonicalManifestJson, parseManifest } from '../../src/payouts/manifest';
import { hashText } from '../../src/payouts/manifest-hash';
import { startTestChain, type TestChain } from '../chain/test-chain';
import { cli } from '../support/cli';
import { errorCode, gql } from '../support/gql';
import { listCounts } from '../support/list-counts';
import { walkPages } from '../support/pages';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { TOKEN, earn, eventually, expectReconciled } from './payout-fixtures';

const EARNINGS = '{ myEarnings { pending available inFlight paid } }';
const BATCH_FIELDS = 'id batchId status txHash recipients total manifestHash manifest';

describe('payouts end to end (GraphQL, worker, dev chain)', () => {
  let chain: TestChain;
  let app: TestApp;
  let admin: SignedInUser;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let carol: SignedInUser;

  beforeAll(async () => {
    chain = await startTestChain();
    app = await startTestApp({
      chain: chain.settings,
      env: {
        SIGN_IN_RATE_LIMIT: '1000',
        PAYOUT_INTERVAL_SECONDS: '0',
        PAYOUT_RECONCILE_SECONDS: '0',
        DEPOSIT_POLL_SECONDS: '0',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      },
    });
    admin = await signInAs(app, [Role.ADMIN]);
    [alice, bob, carol] = [await signIn(app), await signIn(app), await signIn(app)];
  });
  afterAll(async () => {
    await app.close();
    await chain.close();
  });

  // Each test pays its own labelers: none relies on what another test left behind, and each leaves
  // nothing payable behind (the file passes in any order: jest --randomize).
  async function paidBatch(
    amounts: bigint[],
  ): Promise<{ batch: { id: string; batchId: string }; labelers: SignedInUser[] }> {
    const labelers = await Promise.all(amounts.map(() => signIn(app)));
    for (const [i, amount] of amounts.entries()) await earn(app.dataSource, { accountId: labelers[i].id, amount });
    await chain.fundVault(amounts.reduce((a, b) => a + b, 0n));
    const run = await gql(app, { query: 'mutation { runPayouts { id batchId } }', token: admin.token });
    expect(run.data.runPayouts).toHaveLength(1);
    const [batch] = run.data.runPayouts as { id: string; batchId: string }[];
    await eventually(async () =>
      (await app.dataSource.query(`SELECT 1 FROM payout_batches WHERE id = $1 AND status = 'CONFIRMED'`, [batch.id]))
        .length
        ? true
        : undefined,
    );
    return { batch, labelers };
  }

  it('pays matured earnings once, shows them in myEarnings, and verify-payout agrees with the chain', async () => {
    const future = new Date(Date.now() + 3600_000);
    await earn(app.dataSource, { accountId: alice.id, amount: 2n * TOKEN });
    await earn(app.dataSource, { accountId: alice.id, amount: TOKEN, availableAt: future });
    await earn(app.dataSource, { accountId: bob.id, amount: TOKEN / 2n }); // below PAYOUT_MIN_AMOUNT (1)
    await earn(app.dataSource, { accountId: carol.id, amount: TOKEN });
    await earn(app.dataSource, { accountId: carol.id, amount: 2n * TOKEN });
    await chain.fundVault(100n * TOKEN);

    expect((await gql(app, { query: EARNINGS, token: alice.token })).data.myEarnings).toEqual({
      pending: '1',
      available: '2',
      inFlight: '0',
      paid: '0',
    });
    expect(errorCode(await gql(app, { query: `mutation { runPayouts { id } }`, token: alice.token }))).toBe(
      'FORBIDDEN',
    );

    const run = await gql(app, { query: `mutation { runPayouts { ${BATCH_FIELDS} } }`, token: admin.token });
    expect(run.errors).toBeUndefined();
    expect(run.data.runPayouts).toHaveLength(1);
    const built = run.data.runPayouts[0];
    expect(built).toMatchObject({ recipients: 2, total: '5' });

    const confirmed = await eventually(async () => {
      const res = await gql(app, {
        query: `query($id: ID!) { payoutBatch(id: $id) { ${BATCH_FIELDS} } }`,
        variables: { id: built.batchId },
      });
      return res.data.payoutBatch?.status === 'CONFIRMED' ? res.data.payoutBatch : undefined;
    });
    expect(confirmed.id).toBe(built.id);
    expect(confirmed.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await chain.balanceOf(alice.address)).toBe(2n * TOKEN);
    expect(await chain.balanceOf(carol.address)).toBe(3n * TOKEN);
    expect(await chain.balanceOf(bob.address)).toBe(0n);

    // The public manifest re-hashes to the recorded hash, in the documented canonical form.
    const manifest = parseManifest(confirmed.manifest);
    expect(hashText(canonicalManifestJson(manifest))).toBe(confirmed.manifestHash);
    expect(manifest.recipients.map((r) => r.address)).toEqual([alice.address, carol.address].sort());
    expect(manifest.recipients.find((r) => r.address === carol.address)?.assignments).toHaveLength(2);

    expect((await gql(app, { query: EARNINGS, token: alice.token })).data.myEarnings).toEqual({
      pending: '1',
      available: '0',
      inFlight: '0',
      paid: '2',
    });
    expect((await gql(app, { query: EARNINGS, token: bob.token })).data.myEarnings).toEqual({
      pending: '0',
      available: '0.5',
      inFlight: '0',
      paid: '0',
    });

    // Nothing left to pay: a second run builds nothing.
    expect((await gql(app, { query: `mutation { runPayouts { id } }`, token: admin.token })).data.runPayouts).toEqual(
      [],
    );
    await expectReconciled(
      app.dataSource,
      chain,
      [alice, bob, carol].map((u) => ({ id: u.id, address: u.address })),
    );

    const verified = await cli(['verify-payout', '--batch', built.batchId, '--api', app.url]);
    expect(verified.out).toContain('VERIFIED');
    expect(verified.code).toBe(0);
  });

  it('lists batches per caller: ADMIN all, a labeler only those paying them', async () => {
    const { batch, labelers } = await paidBatch([TOKEN, 2n * TOKEN]);
    const unpaid = await signIn(app);
    const list = `query($s: PayoutStatus) { payoutBatches(status: $s, first: 10) { totalCount edges { node { id status } } } }`;
    const [{ all, failed }] = await app.dataSource.query(
      `SELECT count(*)::int AS all, count(*) FILTER (WHERE status = 'FAILED')::int AS failed FROM payout_batches`,
    );
    expect((await gql(app, { query: list, token: admin.token })).data.payoutBatches.totalCount).toBe(all);
    // The total reads every batch: only for a query that asks, once.
    expect(
      await listCounts(app, {
        query: (selection) => `{ payoutBatches(first: 1) { ${selection} } }`,
        table: 'payout_batches',
        token: admin.token,
      }),
    ).toEqual({ withoutTotal: 0, totalTwice: 1, totals: [all, all] });
    for (const labeler of labelers)
      expect((await gql(app, { query: list, token: labeler.token })).data.payoutBatches.edges).toEqual([
        { node: { id: batch.id, status: 'CONFIRMED' } },
      ]);
    expect((await gql(app, { query: list, token: unpaid.token })).data.payoutBatches.totalCount).toBe(0);
    expect(
      (await gql(app, { query: list, variables: { s: 'FAILED' }, token: admin.token })).data.payoutBatches.totalCount,
    ).toBe(failed);
    expect(errorCode(await gql(app, { query: list }))).toBe('UNAUTHENTICATED');
    // Pages are bounded and cursors checked, like every other list.
    const paged = 'query($n: Int, $a: String) { payoutBatches(first: $n, after: $a) { totalCount } }';
    for (const variables of [
      { n: 501 },
      { n: 0 },
      { n: 1_000_000 },
      { a: 'not-a-cursor' },
      { a: Buffer.from('2026|x').toString('base64url') },
    ]) {
      expect(errorCode(await gql(app, { query: paged, variables, token: admin.token }))).toBe('BAD_USER_INPUT');
    }
    // Walked one page at a time, every batch comes once, each cursor to the microsecond.
    const walked = (
      await walkPages(app, {
        query: `query($a: String) { payoutBatches(first: 1, after: $a) {
          totalCount edges { cursor node { id } } pageInfo { endCursor hasNextPage } } }`,
        field: 'payoutBatches',
        token: admin.token,
        table: 'payout_batches',
      })
    ).flatMap((p) => p.edges.map((e) => e.node.id));
    expect(walked).toHaveLength(all);
    expect(new Set(walked).size).toBe(all);
  });

  it('finds a batch by uuid or by batchId, without signing in, and answers null for anything else', async () => {
    const { id, batchId } = (await paidBatch([TOKEN])).batch;
    const find = (key: string) =>
      gql(app, { query: 'query($id: ID!) { payoutBatch(id: $id) { batchId } }', variables: { id: key } });
    for (const key of [id, batchId, batchId.toUpperCase().replace('0X', '0x')])
      expect((await find(key)).data.payoutBatch).toEqual({ batchId });
    for (const key of ['nope', '-'.repeat(36), '0x1234']) {
      const res = await find(key);
      expect({ errors: res.errors, batch: res.data.payoutBatch }).toEqual({ errors: undefined, batch: null });
    }
  });

  it("keeps a blocked account's balance out of payouts until it is unblocked", async () => {
    const dave = await signIn(app);
    await earn(app.dataSource, { accountId: dave.id, amount: TOKEN });
    await earn(app.dataSource, { accountId: dave.id, amount: TOKEN / 2n });
    await chain.fundVault(TOKEN + TOKEN / 2n);
    await app.dataSource.query(`UPDATE accounts SET blocked = true WHERE id = $1`, [dave.id]);
    expect((await gql(app, { query: `mutation { runPayouts { id } }`, token: admin.token })).data.runPayouts).toEqual(
      [],
    );
    await app.dataSource.query(`UPDATE accounts SET blocked = false WHERE id = $1`, [dave.id]);
    const run = await gql(app, { query: `mutation { runPayouts { batchId recipients total } }`, token: admin.token });
    expect(run.data.runPayouts).toEqual([{ batchId: expect.any(String), recipients: 1, total: '1.5' }]);
    await eventually(async () =>
      (
        await app.dataSource.query(`SELECT 1 FROM payout_batches WHERE batch_id = $1 AND status = 'CONFIRMED'`, [
          run.data.runPayouts[0].batchId,
        ])
      ).length
        ? true
        : undefined,
    );
    expect(await chain.balanceOf(dave.address)).toBe(TOKEN + TOKEN / 2n);
    await expectReconciled(app.dataSource, chain, [{ id: dave.id, address: dave.address }]);
  });

  it('verify-payout says NOT VERIFIED for an unknown batch and for a tampered record', async () => {
    const unknown = await cli(['verify-payout', '--batch', '0x' + '0'.repeat(64), '--api', app.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('NOT VERIFIED');
    const { batchId } = (await paidBatch([TOKEN])).batch;
    expect((await cli(['verify-payout', '--batch', batchId, '--api', app.url])).code).toBe(0);
    // Tampering needs a write the service never does: the manifest text is immutable to it.
    await app.dataSource.query(
      `UPDATE payout_batches SET manifest = regexp_replace(manifest, '"amount":"(\\d)', '"amount":"9\\1') WHERE batch_id = $1`,
      [batchId],
    );
    const tampered = await cli(['verify-payout', '--batch', batchId, '--api', app.url]);
    expect(tampered.code).toBe(1);
    expect(tampered.out).toMatch(/FAIL manifest hash/);
    expect((await cli(['verify-payout', '--batch', 'nope'])).code).toBe(2);
  });
});
