import { Role } from '../../src/auth/role';
import { DepositWatcherService } from '../../src/chain/deposit-watcher.service';
import { contractInterface } from '../../src/chain/contracts';
import { startTestChain, type TestChain } from '../chain/test-chain';
import { itemsOf, ndjson, upload, until } from '../datasets/dataset-fixtures';
import { errorCode, gql } from '../support/gql';
import { signIn, signInAs, type SignedInUser } from '../support/sign-in';
import { cli } from '../support/cli';
import { startTestApp, type TestApp } from '../support/test-app';
import { claim, submitAndSettle } from '../tasks/labeler';
import { eventually, expectReconciled } from './payout-fixtures';

// The whole money loop through the public surface, on the in-process dev chain, once with an
// 18-decimal token (LabelToken) and once with a 6-decimal one (USDC-like): fund on chain →
// publish → label → pay → verify-payout → refund the unspent rest. Every amount the API shows
// and takes is in the token's own decimals; every on-chain balance is checked in base units.

const DATASET = 'id status budget committed spent refundable refunded depositKey';

describe.each([
  ['LabelToken', 18],
  ['UsdLikeToken', 6],
] as const)('fund → label → pay → verify → refund with %s (%i decimals)', (tokenContract, decimals) => {
  const units = (tokens: string): bigint => {
    const [whole, fraction = ''] = tokens.split('.');
    return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  };
  let chain: TestChain;
  let app: TestApp;
  let admin: SignedInUser;
  let owner: SignedInUser;
  let labelers: SignedInUser[];
  let datasetId: string;

  beforeAll(async () => {
    chain = await startTestChain({ tokenContract });
    app = await startTestApp({
      chain: chain.settings,
      env: {
        SIGN_IN_RATE_LIMIT: '1000',
        PAYOUT_INTERVAL_SECONDS: '0',
        PAYOUT_RECONCILE_SECONDS: '0',
        DEPOSIT_POLL_SECONDS: '0',
        PAYOUT_HOLD_SECONDS: '0',
        PAYOUT_MIN_AMOUNT: '0.5',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      },
    });
    admin = await signInAs(app, [Role.ADMIN]);
    owner = await signInAs(app, [Role.REQUESTER]);
    labelers = [await signIn(app), await signIn(app)];
  });
  afterAll(async () => {
    await app.close();
    await chain.close();
  });

  const show = async (token = owner.token): Promise<Record<string, string>> =>
    (
      await gql(app, {
        query: `query($id: ID!) { dataset(id: $id) { ${DATASET} } }`,
        variables: { id: datasetId },
        token,
      })
    ).data.dataset;

  it('shows the token decimals and takes amounts in them (one base unit is the smallest amount)', async () => {
    expect((await gql(app, { query: '{ chainInfo { decimals } }' })).data.chainInfo.decimals).toBe(decimals);
    const tooFine = `0.${'0'.repeat(decimals)}1`;
    const res = await gql(app, {
      query:
        'mutation($a: TokenAmount!) { devFaucet(address: "0x0000000000000000000000000000000000000001", amount: $a) }',
      variables: { a: tooFine },
      token: owner.token,
    });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  it('credits an on-chain deposit in the token decimals and publishes against it', async () => {
    const created = await gql(app, {
      query: `mutation($i: CreateDatasetInput!) { createDataset(input: $i) { ${DATASET} rewardPerAnswer } }`,
      // No dispute reserve and no appeal window: once it completes nothing more can be owed, so the refund can follow at once.
      variables: {
        i: {
          name: 'money loop',
          labelSchema: { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog'] },
          answersPerItem: 1,
          itemsPerTask: 2,
          rewardPerAnswer: '0.25',
          disputeReservePercent: 0,
          appealWindowSeconds: 0,
        },
      },
      token: owner.token,
    });
    expect(created.errors).toBeUndefined();
    datasetId = created.data.createDataset.id;
    expect(created.data.createDataset.rewardPerAnswer).toBe('0.25');
    expect((await upload(app, { id: datasetId, token: owner.token, body: ndjson(itemsOf(4)) })).body.inserted).toBe(4);

    // 1.5 tokens deposited from a wallet that is not the owner's; publishing commits 4 × 0.25.
    await chain.deposit(created.data.createDataset.depositKey, units('1.5'));
    await app.app.get(DepositWatcherService).scan();
    expect(await show()).toMatchObject({ budget: '1.5', committed: '0', refundable: '0', refunded: '0' });
    const published = await gql(app, {
      query: `mutation($id: ID!) { publishDataset(id: $id) { status committed } }`,
      variables: { id: datasetId },
      token: owner.token,
    });
    expect(published.data.publishDataset).toEqual({ status: 'OPEN', committed: '1' });
  });

  it('pays the labelers in base units of the token and verify-payout agrees with the chain', async () => {
    await until(
      async () => (await app.dataSource.query('SELECT 1 FROM tasks WHERE dataset_id = $1', [datasetId])).length === 2,
    );
    for (const labeler of labelers) {
      const { assignment } = await claim(app, labeler.token, datasetId);
      const res = await submitAndSettle(
        app,
        labeler.token,
        assignment!.id,
        assignment!.items.map((i) => ({ itemId: i.id, label: 'cat' })),
      );
      expect({ status: res.assignment?.status, verdict: res.verdict }).toEqual({
        status: 'SUBMITTED',
        verdict: 'ACCEPTED',
      });
    }
    await until(async () => (await show()).status === 'COMPLETED');
    // 0.5 spent by each labeler's two answers; the ended dataset owes nothing more.
    expect(await show()).toMatchObject({
      status: 'COMPLETED',
      budget: '1.5',
      spent: '1',
      committed: '0',
      refundable: '0.5',
      refunded: '0',
    });

    const run = await gql(app, { query: 'mutation { runPayouts { batchId recipients total } }', token: admin.token });
    expect(run.data.runPayouts).toEqual([{ batchId: expect.any(String), recipients: 2, total: '1' }]);
    const batchId = run.data.runPayouts[0].batchId;
    await eventually(async () =>
      (await gql(app, { query: 'query($id: ID!) { payoutBatch(id: $id) { status } }', variables: { id: batchId } }))
        .data.payoutBatch.status === 'CONFIRMED'
        ? true
        : undefined,
    );
    for (const labeler of labelers) {
      expect(await chain.balanceOf(labeler.address)).toBe(units('0.5'));
      expect(
        (await gql(app, { query: '{ myEarnings { available paid } }', token: labeler.token })).data.myEarnings,
      ).toEqual({ available: '0', paid: '0.5' });
    }
    await expectReconciled(
      app.dataSource,
      chain,
      labelers.map((l) => ({ id: l.id, address: l.address })),
    );
    const verified = await cli(['verify-payout', '--batch', batchId, '--api', app.url]);
    expect(verified.out).toContain('VERIFIED');
    expect(verified.code).toBe(0);
  });

  it("refunds the unspent rest to the owner's wallet once, on chain, whoever deposited", async () => {
    expect(
      errorCode(
        await gql(app, {
          query: 'mutation($id: ID!) { refundDataset(id: $id) { id } }',
          variables: { id: datasetId },
          token: admin.token,
        }),
      ),
    ).toBe('FORBIDDEN');
    expect(
      errorCode(
        await gql(app, {
          query: 'mutation($id: ID!) { refundDataset(id: $id) { id } }',
          variables: { id: datasetId },
          token: labelers[0].token,
        }),
      ),
    ).toBe('NOT_FOUND');

    const refund = (): Promise<{ data: { refundDataset: Record<string, string> } }> =>
      gql(app, {
        query: `mutation($id: ID!) { refundDataset(id: $id) { ${DATASET} } }`,
        variables: { id: datasetId },
        token: owner.token,
      });
    // Two calls at once: one refund.
    const [first, second] = await Promise.all([refund(), refund()]);
    for (const res of [first, second])
      expect(res.data.refundDataset).toMatchObject({ budget: '1.5', spent: '1', refundable: '0', refunded: '0.5' });
    await eventually(async () =>
      (
        await app.dataSource.query(
          `SELECT 1 FROM payout_batches WHERE kind = 'REFUND' AND dataset_id = $1 AND status = 'CONFIRMED'`,
          [datasetId],
        )
      ).length
        ? true
        : undefined,
    );
    expect(await chain.balanceOf(owner.address)).toBe(units('0.5'));
    // Refunds are not payout batches: the public payout views do not list them.
    expect(
      (await gql(app, { query: '{ payoutBatches(first: 10) { totalCount } }', token: admin.token })).data.payoutBatches
        .totalCount,
    ).toBe(1);

    // Idempotent: nothing more to send, the dataset comes back unchanged.
    expect((await refund()).data.refundDataset).toMatchObject({ refundable: '0', refunded: '0.5' });
    const iface = contractInterface('PayoutVault');
    const refunded = await chain.provider.getLogs({
      address: chain.settings.vaultAddress,
      topics: [iface.getEvent('Refunded')!.topicHash],
      fromBlock: 0,
      toBlock: 'latest',
    });
    expect(refunded.map((log) => iface.parseLog(log)!.args.toArray().slice(2))).toEqual([
      [expect.stringMatching(new RegExp(owner.address.slice(2), 'i')), units('0.5')],
    ]);
  });
});
